using Nabla.NN;
using L = Nabla.NN.Losses;

namespace Nabla.Tests.NN.Losses;

/// <summary>Bad shapes and arguments fail early with a message naming the loss, what was wrong and what was expected.</summary>
public class LossErrorTests
{
    private static readonly Tensor Logits = Tensor.Zeros(4, 3);

    public static readonly Dictionary<string, (Action Act, string Message)> Rows = new()
    {
        ["MseShapes"] = (() => L.Mse(Tensor.Zeros(4, 1), Tensor.Zeros(4)), "MseLoss: prediction has shape [4, 1] but target has shape [4]; they must be equal"),
        ["RmseShapes"] = (() => L.Rmse(Tensor.Zeros(3), Tensor.Zeros(4)), "RmseLoss: prediction has shape [3] but target has shape [4]"),
        ["MaeShapes"] = (() => L.Mae(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)), "MaeLoss: prediction has shape [2, 3] but target has shape [3, 2]"),
        ["HuberDelta"] = (() => L.Huber(Logits, Logits, 0f), "HuberLoss: delta must be positive and finite; got 0"),
        ["SmoothL1Beta"] = (() => L.SmoothL1(Logits, Logits, -1f), "SmoothL1Loss: beta must be non-negative and finite; got -1"),
        ["BceShapes"] = (() => L.BinaryCrossEntropy(Tensor.Zeros(4), Logits), "BceLoss: probabilities has shape [4] but target has shape [4, 3]"),
        ["BceRange"] = (() => L.BinaryCrossEntropy(Tensor.FromArray(0.5f, 1.5f), Tensor.Zeros(2)),
            "BceLoss: probabilities must lie in [0, 1], but element 1 is 1.5; for raw scores (logits) use BinaryCrossEntropyWithLogits"),
        ["BceWeight"] = (() => L.BinaryCrossEntropy(Logits, Logits, Tensor.Ones(4)), "BceLoss: weight of shape [4] must broadcast to the loss's shape [4, 3]"),
        ["BceWithLogitsShapes"] = (() => L.BinaryCrossEntropyWithLogits(Tensor.Zeros(4, 1), Tensor.Zeros(4)), "BceWithLogitsLoss: logits has shape [4, 1] but target has shape [4]"),
        ["BceWithLogitsPosWeight"] = (() => L.BinaryCrossEntropyWithLogits(Logits, Logits, Tensor.Ones(2)), "BceWithLogitsLoss: posWeight of shape [2] must broadcast to the loss's shape [4, 3]"),
        ["CrossEntropyTargetShape"] = (() => L.CrossEntropy(Logits, Tensor.Zeros(4, 1)),
            "CrossEntropyLoss: target of shape [4, 1] does not fit input [4, 3]: expected class indices [4] or class probabilities [4, 3]"),
        ["CrossEntropyClassRange"] = (() => L.CrossEntropy(Logits, Tensor.FromArray(0f, 1f, 3f, 2f)),
            "CrossEntropyLoss: target class index 3 at position 2 is out of range for 3 classes (input [4, 3]); indices run from 0 to 2"),
        ["CrossEntropyNegative"] = (() => L.CrossEntropy(Logits, Tensor.FromArray(0f, -100f, 1f, 2f)),
            "CrossEntropyLoss: target class index -100 at position 1 is out of range for 3 classes"),
        ["CrossEntropyFraction"] = (() => L.CrossEntropy(Logits, Tensor.FromArray(0f, 1.5f, 1f, 2f)),
            "CrossEntropyLoss: target value 1.5 at position 1 is not a whole number"),
        ["CrossEntropyWeight"] = (() => L.CrossEntropy(Logits, Tensor.Zeros(4), Tensor.Ones(4)),
            "CrossEntropyLoss: class weights must be [3] (one per class of input [4, 3]); got [4]"),
        ["CrossEntropySmoothing"] = (() => L.CrossEntropy(Logits, Tensor.Zeros(4), labelSmoothing: 1.5f), "CrossEntropyLoss: labelSmoothing must be in [0, 1]; got 1.5"),
        ["CrossEntropyIgnoreWithProbabilities"] = (() => L.CrossEntropy(Logits, Logits, ignoreIndex: -100),
            "CrossEntropyLoss: ignoreIndex applies to class-index targets only"),
        ["CrossEntropyScalar"] = (() => L.CrossEntropy(Tensor.Scalar(1f), Tensor.Scalar(0f)), "CrossEntropyLoss: logits must be [N, C], [N, C, d...] or [C]; got a scalar"),
        ["NllClassRange"] = (() => L.Nll(Logits, Tensor.FromArray(0f, 1f, 2f, 5f), ignoreIndex: -1),
            "NllLoss: target class index 5 at position 3 is out of range for 3 classes (input [4, 3]); indices run from 0 to 2 or equal ignoreIndex -1"),
        ["KlDivShapes"] = (() => L.KlDiv(Logits, Tensor.Zeros(3, 4)), "KlDivLoss: input has shape [4, 3] but target has shape [3, 4]"),
        ["TripletShapes"] = (() => L.TripletMargin(Logits, Logits, Tensor.Zeros(4, 2)), "TripletMarginLoss: anchor has shape [4, 3] but negative has shape [4, 2]"),
        ["TripletRank"] = (() => L.TripletMargin(Tensor.Zeros(2, 2, 2), Tensor.Zeros(2, 2, 2), Tensor.Zeros(2, 2, 2)),
            "TripletMarginLoss: anchor must be embeddings [N, D] or one embedding [D]; got [2, 2, 2]"),
        ["TripletMargin"] = (() => L.TripletMargin(Logits, Logits, Logits, margin: -1f), "TripletMarginLoss: margin must be non-negative and finite; got -1"),
        ["TripletStacked"] = (() => new TripletMarginLoss().Compute(Tensor.Zeros(4, 2, 3), Tensor.Zeros(4)),
            "TripletMarginLoss: prediction must stack anchor, positive and negative as [N, 3, D] (or [3, D]); got [4, 2, 3]"),
        ["CosineTargetShape"] = (() => L.CosineEmbedding(Logits, Logits, Tensor.Ones(3)),
            "CosineEmbeddingLoss: target must have shape [4] (one ±1 per pair of inputs [4, 3]); got [3]"),
        ["CosineTargetValues"] = (() => L.CosineEmbedding(Logits, Logits, Tensor.FromArray(1f, 0f, -1f, 1f)), "CosineEmbeddingLoss: targets must be 1 (similar) or -1 (dissimilar); got 0"),
        ["CosineMargin"] = (() => L.CosineEmbedding(Logits, Logits, Tensor.Ones(4), 2f), "CosineEmbeddingLoss: margin must be in [-1, 1]; got 2"),
        ["Reduction"] = (() => L.Mse(Logits, Logits, (Reduction)42), "MseLoss: unknown reduction 42"),
        ["LossObjectOption"] = (() => _ = new CrossEntropyLoss(labelSmoothing: -0.1f), "CrossEntropyLoss: labelSmoothing must be in [0, 1]; got -0.1"),
        ["RegistryUnknown"] = (() => Loss.Create("hinge"), "Unknown loss 'hinge'; expected one of: mse, rmse, mae"),
    };

    public static TheoryData<string> Names() => [.. Rows.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void Fails_with_a_clear_message(string name)
    {
        var (act, message) = Rows[name];
        var e = Assert.ThrowsAny<ArgumentException>(act);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
