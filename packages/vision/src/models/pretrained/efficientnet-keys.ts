/** The key conventions of the PyTorch EfficientNets whose state dicts Strata loads. */
export type KeyConvention = 'efficientnet_pytorch' | 'timm';

/** How a PyTorch tensor's layout becomes the tfjs weight's. */
export type Layout = 'conv' | 'depthwise' | 'dense' | 'vector';

/** Where one Strata weight comes from in a state dict. */
export interface KeySource {
  /** The state-dict key (without any prefix such as `module.`). */
  readonly key: string;
  readonly layout: Layout;
}

/** The stem convolution's key in each convention: it tells the convention and any prefix of a file's keys. */
export const STEM_KEYS: Readonly<Record<KeyConvention, string>> = {
  efficientnet_pytorch: '_conv_stem.weight',
  timm: 'conv_stem.weight',
};

/** What a Strata model built from an EfficientNet spec looks like: its MBConv blocks in order. */
export interface EfficientNetLayout {
  /** Block prefixes in network order ('block1a', 'block2a', 'block2b', ...). */
  readonly blocks: readonly string[];
  /** The blocks with a 1x1 expansion (all but those of expansion ratio 1). */
  readonly expanded: ReadonlySet<string>;
}

/** tfjs batch-norm weights and their PyTorch names. */
const BATCH_NORM: Readonly<Record<string, string>> = { gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' };

/**
 * The blocks of a model built by `efficientNetB0` or `efficientNetLite0`, from its layer names
 * (Keras' `block<stage><letter>_...`), in network order.
 */
export function efficientNetLayout(layerNames: readonly string[]): EfficientNetLayout {
  const blocks: string[] = [];
  const expanded = new Set<string>();
  for (const name of layerNames) {
    const match = /^(block(\d+)([a-z]))_/.exec(name);
    if (!match) continue;
    if (!blocks.includes(match[1]!)) blocks.push(match[1]!);
    if (name.endsWith('_expand_conv')) expanded.add(match[1]!);
  }
  blocks.sort((a, b) => stageOf(a) - stageOf(b) || letterOf(a) - letterOf(b));
  return { blocks, expanded };
}

/**
 * The state-dict key of a Strata weight (`'block2a_dwconv/depthwise_kernel'`) in a convention,
 * or undefined for a weight no EfficientNet state dict holds.
 *
 * efficientnet_pytorch numbers blocks through the network (`_blocks.<n>.`) and names their parts
 * `_expand_conv`, `_bn0`, `_depthwise_conv`, `_bn1`, `_se_reduce`, `_se_expand`, `_project_conv`,
 * `_bn2`; timm numbers stages and blocks (`blocks.<stage>.<i>.`) and names the parts after the
 * block's type: `conv_pw`, `bn1`, `conv_dw`, `bn2`, `se.conv_reduce`, `se.conv_expand`,
 * `conv_pwl`, `bn3`, or, in a block without expansion, `conv_dw`, `bn1`, `se.*`, `conv_pw`, `bn2`.
 */
export function sourceOf(weight: string, layout: EfficientNetLayout, convention: KeyConvention): KeySource | undefined {
  const slash = weight.lastIndexOf('/');
  const layer = weight.slice(0, slash);
  const param = weight.slice(slash + 1);
  const module = moduleOf(layer, layout, convention);
  if (module === undefined) return undefined;
  if (module.kind === 'bn') {
    const name = BATCH_NORM[param];
    return name === undefined ? undefined : { key: `${module.path}.${name}`, layout: 'vector' };
  }
  if (param === 'bias') return { key: `${module.path}.bias`, layout: 'vector' };
  const kernelLayout: Record<string, Layout> = { conv: 'conv', depthwise: 'depthwise', dense: 'dense' };
  const expected = module.kind === 'depthwise' ? 'depthwise_kernel' : 'kernel';
  return param === expected ? { key: `${module.path}.weight`, layout: kernelLayout[module.kind]! } : undefined;
}

interface Module {
  readonly path: string;
  readonly kind: 'conv' | 'depthwise' | 'dense' | 'bn';
}

function moduleOf(layer: string, layout: EfficientNetLayout, convention: KeyConvention): Module | undefined {
  const timm = convention === 'timm';
  const fixed: Record<string, Module> = timm
    ? { stem_conv: { path: 'conv_stem', kind: 'conv' }, stem_bn: { path: 'bn1', kind: 'bn' }, top_conv: { path: 'conv_head', kind: 'conv' }, top_bn: { path: 'bn2', kind: 'bn' }, predictions: { path: 'classifier', kind: 'dense' } }
    : { stem_conv: { path: '_conv_stem', kind: 'conv' }, stem_bn: { path: '_bn0', kind: 'bn' }, top_conv: { path: '_conv_head', kind: 'conv' }, top_bn: { path: '_bn1', kind: 'bn' }, predictions: { path: '_fc', kind: 'dense' } };
  if (Object.hasOwn(fixed, layer)) return fixed[layer];

  const match = /^(block\d+[a-z])_(.+)$/.exec(layer);
  const index = match ? layout.blocks.indexOf(match[1]!) : -1;
  if (!match || index < 0) return undefined;
  const [, block, part] = match as unknown as [string, string, string];
  const expands = layout.expanded.has(block);
  const parts: Record<string, [string, Module['kind']]> = timm
    ? {
        expand_conv: ['conv_pw', 'conv'],
        expand_bn: ['bn1', 'bn'],
        dwconv: ['conv_dw', 'depthwise'],
        bn: [expands ? 'bn2' : 'bn1', 'bn'],
        se_reduce: ['se.conv_reduce', 'conv'],
        se_expand: ['se.conv_expand', 'conv'],
        project_conv: [expands ? 'conv_pwl' : 'conv_pw', 'conv'],
        project_bn: [expands ? 'bn3' : 'bn2', 'bn'],
      }
    : {
        expand_conv: ['_expand_conv', 'conv'],
        expand_bn: ['_bn0', 'bn'],
        dwconv: ['_depthwise_conv', 'depthwise'],
        bn: ['_bn1', 'bn'],
        se_reduce: ['_se_reduce', 'conv'],
        se_expand: ['_se_expand', 'conv'],
        project_conv: ['_project_conv', 'conv'],
        project_bn: ['_bn2', 'bn'],
      };
  if (!Object.hasOwn(parts, part)) return undefined;
  const [name, kind] = parts[part]!;
  const prefix = timm ? `blocks.${stageOf(block) - 1}.${letterOf(block)}` : `_blocks.${index}`;
  return { path: `${prefix}.${name}`, kind };
}

function stageOf(block: string): number {
  return Number(/^block(\d+)/.exec(block)![1]);
}

function letterOf(block: string): number {
  return block.charCodeAt(block.length - 1) - 97;
}
