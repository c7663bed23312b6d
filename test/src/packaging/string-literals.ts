// The text of every string a TypeScript file writes: string literals and the literal parts of
// template literals, with their line. Comments are not strings, so they never appear.
import ts from 'typescript';

/** One string literal (or one literal part of a template) and the line it starts on. */
export interface StringLiteralText {
  readonly line: number;
  readonly text: string;
}

/**
 * The strings of `source` (TypeScript text), in order: `'...'`, `"..."`, and the literal parts
 * of template literals (`a ${b} c` gives 'a ' and ' c'). Import and export specifiers count too.
 *
 * @example
 * stringLiterals("// 'not this'\nconst a = `x ${y} z`;", 'a.ts'); // [{ line: 2, text: 'x ' }, { line: 2, text: ' z' }]
 */
export function stringLiterals(source: string, fileName: string): StringLiteralText[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: StringLiteralText[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      found.push({ line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1, text: node.text });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}
