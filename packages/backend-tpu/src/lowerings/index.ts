// The lowering table: what the xla backend can record. A kernel missing here is a preflight
// error that names it; the tests assert that the models' kernels are all here.
import type { KernelLowering } from './kernel-lowering.js';
import { lowering as Cumprod_ } from './Cumprod.js';
import { lowering as Cumsum_ } from './Cumsum.js';
import { lowering as ExpandDims_ } from './ExpandDims.js';
import { lowering as Abs_ } from './Abs.js';
import { lowering as Add_ } from './Add.js';
import { lowering as AddN_ } from './AddN.js';
import { lowering as All_ } from './All.js';
import { lowering as Any_ } from './Any.js';
import { lowering as ArgMax_ } from './ArgMax.js';
import { lowering as ArgMin_ } from './ArgMin.js';
import { lowering as Atan2_ } from './Atan2.js';
import { lowering as AvgPool_ } from './AvgPool.js';
import { lowering as AvgPoolGrad_ } from './AvgPoolGrad.js';
import { lowering as BatchMatMul_ } from './BatchMatMul.js';
import { lowering as Cast_ } from './Cast.js';
import { lowering as Ceil_ } from './Ceil.js';
import { lowering as ClipByValue_ } from './ClipByValue.js';
import { lowering as Concat_ } from './Concat.js';
import { lowering as Conv2D_ } from './Conv2D.js';
import { lowering as Conv2DBackpropFilter_ } from './Conv2DBackpropFilter.js';
import { lowering as Conv2DBackpropInput_ } from './Conv2DBackpropInput.js';
import { lowering as Cos_ } from './Cos.js';
import { lowering as DepthwiseConv2dNative_ } from './DepthwiseConv2dNative.js';
import { lowering as DepthwiseConv2dNativeBackpropFilter_ } from './DepthwiseConv2dNativeBackpropFilter.js';
import { lowering as DepthwiseConv2dNativeBackpropInput_ } from './DepthwiseConv2dNativeBackpropInput.js';
import { lowering as Elu_ } from './Elu.js';
import { lowering as EluGrad_ } from './EluGrad.js';
import { lowering as Equal_ } from './Equal.js';
import { lowering as Exp_ } from './Exp.js';
import { lowering as Expm1_ } from './Expm1.js';
import { lowering as Fill_ } from './Fill.js';
import { lowering as Floor_ } from './Floor.js';
import { lowering as FloorDiv_ } from './FloorDiv.js';
import { lowering as FusedBatchNorm_ } from './FusedBatchNorm.js';
import { lowering as FusedConv2D_ } from './FusedConv2D.js';
import { lowering as FusedDepthwiseConv2D_ } from './FusedDepthwiseConv2D.js';
import { lowering as Greater_ } from './Greater.js';
import { lowering as GreaterEqual_ } from './GreaterEqual.js';
import { lowering as Identity_ } from './Identity.js';
import { lowering as IsNan_ } from './IsNan.js';
import { lowering as LeakyRelu_ } from './LeakyRelu.js';
import { lowering as Less_ } from './Less.js';
import { lowering as LessEqual_ } from './LessEqual.js';
import { lowering as Log_ } from './Log.js';
import { lowering as Log1p_ } from './Log1p.js';
import { lowering as LogicalAnd_ } from './LogicalAnd.js';
import { lowering as LogicalNot_ } from './LogicalNot.js';
import { lowering as LogicalOr_ } from './LogicalOr.js';
import { lowering as Max_ } from './Max.js';
import { lowering as MaxPool_ } from './MaxPool.js';
import { lowering as MaxPoolGrad_ } from './MaxPoolGrad.js';
import { lowering as StrataReluGrad_ } from './StrataReluGrad.js';
import { lowering as Maximum_ } from './Maximum.js';
import { lowering as Mean_ } from './Mean.js';
import { lowering as Min_ } from './Min.js';
import { lowering as Minimum_ } from './Minimum.js';
import { lowering as Mod_ } from './Mod.js';
import { lowering as Multiply_ } from './Multiply.js';
import { lowering as Neg_ } from './Neg.js';
import { lowering as NotEqual_ } from './NotEqual.js';
import { lowering as OneHot_ } from './OneHot.js';
import { lowering as OnesLike_ } from './OnesLike.js';
import { lowering as Pack_ } from './Pack.js';
import { lowering as PadV2_ } from './PadV2.js';
import { lowering as Pow_ } from './Pow.js';
import { lowering as Prelu_ } from './Prelu.js';
import { lowering as Prod_ } from './Prod.js';
import { lowering as Range_ } from './Range.js';
import { lowering as RealDiv_ } from './RealDiv.js';
import { lowering as Reciprocal_ } from './Reciprocal.js';
import { lowering as Relu_ } from './Relu.js';
import { lowering as Relu6_ } from './Relu6.js';
import { lowering as Reshape_ } from './Reshape.js';
import { lowering as Reverse_ } from './Reverse.js';
import { lowering as Round_ } from './Round.js';
import { lowering as Rsqrt_ } from './Rsqrt.js';
import { lowering as Select_ } from './Select.js';
import { lowering as Selu_ } from './Selu.js';
import { lowering as Sigmoid_ } from './Sigmoid.js';
import { lowering as Sign_ } from './Sign.js';
import { lowering as Sin_ } from './Sin.js';
import { lowering as Slice_ } from './Slice.js';
import { lowering as Softmax_ } from './Softmax.js';
import { lowering as Softplus_ } from './Softplus.js';
import { lowering as SplitV_ } from './SplitV.js';
import { lowering as Sqrt_ } from './Sqrt.js';
import { lowering as Square_ } from './Square.js';
import { lowering as SquaredDifference_ } from './SquaredDifference.js';
import { lowering as Step_ } from './Step.js';
import { lowering as Sub_ } from './Sub.js';
import { lowering as Sum_ } from './Sum.js';
import { lowering as Tanh_ } from './Tanh.js';
import { lowering as Tile_ } from './Tile.js';
import { lowering as Transpose_ } from './Transpose.js';
import { lowering as Unpack_ } from './Unpack.js';
import { lowering as ZerosLike_ } from './ZerosLike.js';
import { lowering as FusedMatMul_ } from './_FusedMatMul.js';

/** Every lowered kernel, by tfjs kernel name. */
export const LOWERINGS: ReadonlyMap<string, KernelLowering> = new Map(
  [
    Cumprod_,
    Cumsum_,
    ExpandDims_,
    Abs_,
    Add_,
    AddN_,
    All_,
    Any_,
    ArgMax_,
    ArgMin_,
    Atan2_,
    AvgPool_,
    AvgPoolGrad_,
    BatchMatMul_,
    Cast_,
    Ceil_,
    ClipByValue_,
    Concat_,
    Conv2D_,
    Conv2DBackpropFilter_,
    Conv2DBackpropInput_,
    Cos_,
    DepthwiseConv2dNative_,
    DepthwiseConv2dNativeBackpropFilter_,
    DepthwiseConv2dNativeBackpropInput_,
    Elu_,
    EluGrad_,
    Equal_,
    Exp_,
    Expm1_,
    Fill_,
    Floor_,
    FloorDiv_,
    FusedBatchNorm_,
    FusedConv2D_,
    FusedDepthwiseConv2D_,
    Greater_,
    GreaterEqual_,
    Identity_,
    IsNan_,
    LeakyRelu_,
    Less_,
    LessEqual_,
    Log_,
    Log1p_,
    LogicalAnd_,
    LogicalNot_,
    LogicalOr_,
    Max_,
    MaxPool_,
    MaxPoolGrad_,
    Maximum_,
    Mean_,
    Min_,
    Minimum_,
    Mod_,
    Multiply_,
    Neg_,
    NotEqual_,
    OneHot_,
    OnesLike_,
    Pack_,
    PadV2_,
    Pow_,
    Prelu_,
    Prod_,
    Range_,
    RealDiv_,
    Reciprocal_,
    Relu_,
    Relu6_,
    Reshape_,
    Reverse_,
    Round_,
    Rsqrt_,
    Select_,
    Selu_,
    Sigmoid_,
    Sign_,
    Sin_,
    Slice_,
    Softmax_,
    Softplus_,
    SplitV_,
    Sqrt_,
    Square_,
    SquaredDifference_,
    Step_,
    Sub_,
    Sum_,
    Tanh_,
    Tile_,
    Transpose_,
    Unpack_,
    ZerosLike_,
    FusedMatMul_,
    StrataReluGrad_,
  ].map((l) => [l.kernelName, l]),
);

export type { KernelLowering, TensorMeta } from './kernel-lowering.js';
