// Which modules of a built package have side effects when imported, for checking the
// package.json `sideEffects` list that bundlers trust when they drop unused modules.
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

/** One module's reasons to count as having side effects. */
export interface SideEffectModule {
  /** Path inside the package, as package.json writes it: './dist/index.js'. */
  readonly path: string;
  /** Its own top-level statements that run code (a call, a bare import), or the imported module with effects. */
  readonly reasons: readonly string[];
}

/**
 * The modules among `files` (paths inside the package folder `dir`, './dist/x.js') whose
 * evaluation does more than define exports: a top-level statement that runs code (a call such
 * as `registerBackend(...)`, an assignment, a loop), a bare `import 'x'` done for its effect,
 * a class static block, or a static import of another module of the package that has side
 * effects. Declarations (functions, classes, variables, exports) and compiled enums count as
 * free of effects.
 */
export function sideEffectModules(dir: string, files: readonly string[]): SideEffectModule[] {
  const modules = new Set(files.map((f) => normalize(f)));
  const own = new Map<string, string[]>();
  const imports = new Map<string, string[]>();
  for (const file of modules) {
    const source = ts.createSourceFile(file, readFileSync(join(dir, file), 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const reasons: string[] = [];
    const local: string[] = [];
    for (const statement of source.statements) {
      const specifier = moduleSpecifier(statement);
      if (specifier !== undefined && specifier.startsWith('.')) local.push(normalize(join(dirname(file), specifier)));
      const effect = statementEffect(statement, specifier);
      if (effect) reasons.push(`${effect} (line ${source.getLineAndCharacterOfPosition(statement.getStart()).line + 1})`);
    }
    own.set(file, reasons);
    imports.set(file, local);
  }
  const effectful = new Map<string, string[]>();
  for (const [file, reasons] of own) if (reasons.length > 0) effectful.set(file, [...reasons]);
  // A module that imports a module with side effects runs them when it is imported.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [file, targets] of imports) {
      if (effectful.has(file)) continue;
      const target = targets.find((t) => effectful.has(t));
      if (target) {
        effectful.set(file, [`imports ${asPackagePath(target)}`]);
        changed = true;
      }
    }
  }
  return [...effectful]
    .map(([file, reasons]) => ({ path: asPackagePath(file), reasons }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

function asPackagePath(file: string): string {
  return `./${relative('.', file).split('\\').join('/')}`;
}

function moduleSpecifier(statement: ts.Statement): string | undefined {
  if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
    return statement.moduleSpecifier.text;
  }
  return undefined;
}

function statementEffect(statement: ts.Statement, specifier: string | undefined): string | undefined {
  if (ts.isImportDeclaration(statement)) return statement.importClause ? undefined : `import '${specifier}'`;
  if (ts.isExportDeclaration(statement) || ts.isFunctionDeclaration(statement) || ts.isVariableStatement(statement) || ts.isExportAssignment(statement) || ts.isEmptyStatement(statement)) {
    return undefined;
  }
  if (ts.isExpressionStatement(statement) && isEnumInitializer(statement.expression)) return undefined;
  if (ts.isClassDeclaration(statement)) {
    return statement.members.some(ts.isClassStaticBlockDeclaration) ? `class ${statement.name?.text ?? ''} with a static block` : undefined;
  }
  return statement.getText().split('\n')[0]!.slice(0, 80);
}

/**
 * A compiled TypeScript enum, which fills a variable of its own module:
 * `(function (E) { E["A"] = "A"; E[E["B"] = 1] = "B"; })(E || (E = {}))`.
 */
function isEnumInitializer(expression: ts.Expression): boolean {
  if (!ts.isCallExpression(expression) || expression.arguments.length !== 1) return false;
  const callee = ts.isParenthesizedExpression(expression.expression) ? expression.expression.expression : expression.expression;
  const argument = expression.arguments[0]!;
  if (!ts.isFunctionExpression(callee) || callee.parameters.length !== 1 || !ts.isIdentifier(callee.parameters[0]!.name)) return false;
  if (!(ts.isBinaryExpression(argument) && argument.operatorToken.kind === ts.SyntaxKind.BarBarToken && ts.isIdentifier(argument.left))) return false;
  const own = callee.parameters[0]!.name.text;
  const fillsOwn = (e: ts.Expression): boolean =>
    ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isElementAccessExpression(e.left) && ts.isIdentifier(e.left.expression) && e.left.expression.text === own &&
    (!ts.isBinaryExpression(e.left.argumentExpression) || fillsOwn(e.left.argumentExpression));
  return callee.body.statements.every((s) => ts.isExpressionStatement(s) && fillsOwn(s.expression));
}
