namespace Nabla.Tests.Ops;

/// <summary>Every op rejects bad shapes and arguments with a message naming the op and what was expected.</summary>
public class BadShapeTests
{
    private static readonly Tensor A23 = Tensor.Ones(2, 3);
    private static readonly Tensor A34 = Tensor.Ones(3, 4);

    public static readonly Dictionary<string, (Func<object> Act, string Message)> Rows = new()
    {
        ["Add"] = (() => A23 + Tensor.Ones(4), "Add: shapes [2, 3] and [4] cannot be broadcast together: axis -1 has sizes 3 and 4"),
        ["Sub"] = (() => A23 - A34, "Sub: shapes [2, 3] and [3, 4] cannot be broadcast together"),
        ["Mul"] = (() => A23 * Tensor.Ones(3, 2, 2), "Mul: shapes [2, 3] and [3, 2, 2] cannot be broadcast together"),
        ["Div"] = (() => A23 / Tensor.Ones(2, 2), "Div: shapes [2, 3] and [2, 2]"),
        ["Pow"] = (() => A23.Pow(Tensor.Ones(5)), "Pow: shapes [2, 3] and [5]"),
        ["Maximum"] = (() => Tensor.Maximum(A23, A34), "Maximum: shapes [2, 3] and [3, 4]"),
        ["Minimum"] = (() => Tensor.Minimum(A23, A34), "Minimum: shapes [2, 3] and [3, 4]"),
        ["Eq"] = (() => A23.Eq(A34), "Eq: shapes [2, 3] and [3, 4]"),
        ["Lt"] = (() => A23.Lt(A34), "Lt: shapes [2, 3] and [3, 4]"),
        ["Where"] = (() => Tensor.Where(Tensor.Ones(5), A23, A23), "Where: shapes [5] and [2, 3] cannot be broadcast"),
        ["MaskedFill"] = (() => A23.MaskedFill(Tensor.Ones(4), 0f), "MaskedFill: shapes [4] and [2, 3] cannot be broadcast together"),
        ["Clamp"] = (() => A23.Clamp(1f, 0f), "Clamp: min 1 is greater than max 0"),
        ["MatMul"] = (() => Tensor.Ones(32, 784).MatMul(Tensor.Ones(128, 10)), "MatMul: [32, 784] @ [128, 10]: inner dimensions 784 and 128 differ"),
        ["MatMulBatch"] = (() => Tensor.Ones(2, 3, 4).MatMul(Tensor.Ones(3, 4, 5)), "MatMul: [2, 3, 4] @ [3, 4, 5]: batch axes: shapes [2] and [3] cannot be broadcast"),
        ["MatMulScalar"] = (() => Tensor.Scalar(2f).MatMul(A23), "MatMul: [] @ [2, 3]: both operands need at least one axis"),
        ["Dot"] = (() => Tensor.Ones(3).Dot(Tensor.Ones(4)), "Dot: needs two 1-D tensors of equal length; got [3] and [4]"),
        ["Sum"] = (() => A23.Sum(2), "Sum: axis 2 is out of range for rank 2; allowed: -2..1"),
        ["SumTwice"] = (() => A23.Sum([1, -1]), "Sum: axis -1 is listed twice"),
        ["Mean"] = (() => A23.Mean(-3), "Mean: axis -3 is out of range for rank 2"),
        ["Prod"] = (() => A23.Prod(5), "Prod: axis 5 is out of range"),
        ["Max"] = (() => Tensor.Zeros(0, 3).Max(0), "Max: cannot reduce tensor of shape [0, 3] over an empty axis"),
        ["Min"] = (() => A23.Min(3), "Min: axis 3 is out of range"),
        ["ArgMax"] = (() => A23.ArgMax(2), "ArgMax: axis 2 is out of range for rank 2"),
        ["Var"] = (() => A23.Var([4]), "Var: axis 4 is out of range"),
        ["LogSumExp"] = (() => A23.LogSumExp(7), "LogSumExp: axis 7 is out of range"),
        ["Norm"] = (() => A23.Norm(-1f), "Norm: p must be positive; got -1"),
        ["Reshape"] = (() => A23.Reshape(4, 2), "Reshape: [2, 3] (6 elements) to [4, 2] (8 elements): element counts differ"),
        ["ReshapeInfer"] = (() => A23.Reshape(-1, 4), "Reshape: [2, 3] (6 elements) to [-1, 4]: the -1 size cannot be inferred"),
        ["ReshapeTwoInfer"] = (() => A23.Reshape(-1, -1), "Reshape: [2, 3] to [-1, -1]: only one size may be -1"),
        ["View"] = (() => A23.T.View(6), "View: a tensor of shape [3, 2] with strides [1, 3] cannot be viewed as [6] without copying"),
        ["Permute"] = (() => A23.Permute(0), "Permute: tensor of shape [2, 3] has 2 axes but the order [0] lists 1"),
        ["PermuteRepeat"] = (() => A23.Permute(1, 1), "Permute: axis 1 appears twice in the order [1, 1]"),
        ["Transpose"] = (() => A23.Transpose(0, 2), "Transpose: axis 2 is out of range for rank 2"),
        ["Slice"] = (() => A23.Slice(1, 0, 2, 0), "Slice: step must be positive; got 0"),
        ["Narrow"] = (() => A23.Narrow(1, 2, 2), "Narrow: start 2 and length 2 do not fit axis 1 of size 3 in shape [2, 3]"),
        ["Select"] = (() => A23.Select(0, 2), "Select: index 2 is out of range for axis 0 of size 2 in shape [2, 3]"),
        ["Expand"] = (() => A23.Expand(4, 3), "Expand: cannot expand shape [2, 3] to [4, 3]: axis 0 has size 2, which is neither 4 nor 1"),
        ["ExpandFewer"] = (() => A23.Expand(3), "Expand: cannot expand shape [2, 3] to [3], which has fewer axes"),
        ["Squeeze"] = (() => A23.Squeeze(2), "Squeeze: axis 2 is out of range"),
        ["Unsqueeze"] = (() => A23.Unsqueeze(4), "Unsqueeze: axis 4 is out of range for rank 3"),
        ["Flatten"] = (() => Tensor.Ones(2, 3, 4).Flatten(2, 1), "Flatten: start axis 2 comes after end axis 1"),
        ["Concat"] = (() => Tensor.Concat([A23, A34], 0), "Concat: tensor 1 has shape [3, 4] but tensor 0 has [2, 3]; all sizes except axis 0 must match"),
        ["ConcatEmpty"] = (() => Tensor.Concat([], 0), "Concat: needs at least one tensor"),
        ["Stack"] = (() => Tensor.Stack([A23, A34]), "Stack: tensor 1 has shape [3, 4] but tensor 0 has [2, 3]; all must match"),
        ["Split"] = (() => A23.Split([1, 1], 1), "Split: sizes [1, 1] add up to 2 but axis 1 of shape [2, 3] has size 3"),
        ["Chunk"] = (() => A23.Chunk(0), "Chunk: the number of chunks must be positive; got 0"),
        ["Pad"] = (() => A23.Pad([(1, 1)]), "Pad: tensor of shape [2, 3] has 2 axes but 1 (before, after) pairs were given"),
        ["Gather"] = (() => A23.Gather(1, Tensor.FromArray([0f, 3f], 2, 1)), "Gather: index 3 is out of range for axis 1 of size 3; allowed: 0..2"),
        ["GatherFraction"] = (() => A23.Gather(1, Tensor.FromArray([0.5f, 1f], 2, 1)), "Gather: index 0.5 is not a whole number"),
        ["GatherShape"] = (() => A23.Gather(1, Tensor.Zeros(3, 1)), "Gather: index of shape [3, 1] does not fit input of shape [2, 3] along axis 1"),
        ["ScatterAdd"] = (() => A23.ScatterAdd(0, Tensor.Zeros(1, 3), Tensor.Ones(1, 2)), "ScatterAdd: source of shape [1, 2] must have the index's shape [1, 3]"),
        ["IndexSelect"] = (() => A23.IndexSelect(0, 2), "Gather: index 2 is out of range for axis 0 of size 2"),
        ["IndexSelectRank"] = (() => A23.IndexSelect(0, Tensor.Zeros(1, 1)), "IndexSelect: indices must be 1-D; got shape [1, 1]"),
        ["OneHot"] = (() => Tensor.FromArray(1f, 5f).OneHot(3), "OneHot: index 5 is out of range"),
        ["FromArray"] = (() => Tensor.FromArray([1f, 2f, 3f], 2, 2), "FromArray: 3 values cannot fill shape [2, 2] (4 elements)"),
        ["Shape"] = (() => new Shape(2, -1), "Shape [2, -1]: axis sizes must be non-negative"),
        ["Item"] = (() => A23.Item(), "Item: only one-element tensors convert to a number; this one has shape [2, 3]"),
        ["Indexer"] = (() => A23[0, 3], "Indexer: index 3 is out of range for axis 1 of size 3"),
        ["AddInPlace"] = (() => Tensor.Ones(3).AddInPlace(A23), "AddInPlace: a source of shape [2, 3] would grow this tensor's shape [3] to [2, 3]"),
        ["InPlaceOnBroadcast"] = (() => Tensor.Ones(1, 3).Expand(2, 3).FillInPlace(0f), "FillInPlace: this tensor (shape [2, 3]) is a broadcast view"),
        ["Ne"] = (() => A23.Ne(A34), "Ne: shapes [2, 3] and [3, 4]"),
        ["Le"] = (() => A23.Le(A34), "Le: shapes [2, 3] and [3, 4]"),
        ["Gt"] = (() => A23.Gt(A34), "Gt: shapes [2, 3] and [3, 4]"),
        ["Ge"] = (() => A23.Ge(A34), "Ge: shapes [2, 3] and [3, 4]"),
        ["Std"] = (() => A23.Std([2]), "Var: axis 2 is out of range"),
        ["ArgMin"] = (() => A23.ArgMin(-3), "ArgMin: axis -3 is out of range for rank 2"),
        ["ArgMaxEmpty"] = (() => Tensor.Zeros(2, 0).ArgMax(1), "ArgMax: axis 1 of shape [2, 0] is empty"),
        ["MaxWithIndices"] = (() => A23.MaxWithIndices(2), "MaxWithIndices: axis 2 is out of range"),
        ["MinWithIndices"] = (() => A23.MinWithIndices(-4), "MinWithIndices: axis -4 is out of range"),
        ["StackEmpty"] = (() => Tensor.Stack([]), "Stack: needs at least one tensor"),
        ["StackAxis"] = (() => Tensor.Stack([A23, A23], 3), "Unsqueeze: axis 3 is out of range for rank 3"),
        ["SplitSize"] = (() => A23.Split(0), "Split: size must be positive; got 0"),
        ["PadNegative"] = (() => A23.Pad([(0, 0), (-1, 0)]), "Pad: widths must be non-negative; axis 1 has (-1, 0)"),
        ["ScatterAddRange"] = (() => A23.ScatterAdd(0, Tensor.FromArray([2f, 0f, 0f], 1, 3), Tensor.Ones(1, 3)), "ScatterAdd: index 2 is out of range for axis 0 of size 2"),
        ["Linspace"] = (() => Tensor.Linspace(0f, 1f, -1), "Linspace: steps must be non-negative; got -1"),
        ["Eye"] = (() => Tensor.Eye(-1), "Shape [-1, -1]: axis sizes must be non-negative"),
        ["CopyFrom"] = (() => Tensor.Zeros(3).CopyFrom(A23), "CopyFrom: a source of shape [2, 3] would grow this tensor's shape [3] to [2, 3]"),
        ["SubInPlace"] = (() => Tensor.Zeros(2, 3).SubInPlace(Tensor.Ones(4)), "SubInPlace: shapes [2, 3] and [4] cannot be broadcast"),
        ["MulInPlace"] = (() => Tensor.Zeros(3).MulInPlace(Tensor.Ones(2, 3)), "MulInPlace: a source of shape [2, 3] would grow this tensor's shape [3]"),
        ["Arange"] = (() => Tensor.Arange(0f, 1f, 0f), "Arange: step must be non-zero"),
        ["RandInt"] = (() => Tensor.RandInt(3, 3, [2]), "RandInt: high (3) must be greater than low (3)"),
        ["Bernoulli"] = (() => Tensor.Bernoulli(Tensor.FromArray(0.5f, 1.5f)), "Bernoulli: probability 1.5 at flat index 1 is outside [0, 1]"),
    };

    public static TheoryData<string> Names() => [.. Rows.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Bad_input_gives_a_clear_error(string name)
    {
        var (act, message) = Rows[name];
        var error = Assert.ThrowsAny<Exception>(act);
        Assert.True(error is ArgumentException or InvalidOperationException, $"{name}: {error.GetType().Name}: {error.Message}");
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
