using Nabla.NN;
using L = Nabla.NN.Losses;

namespace Nabla.Tests.NN.Losses;

/// <summary>Loss objects and the registry: every name creates its loss, objects compute what their functions compute.</summary>
public class LossRegistryTests
{
    public static TheoryData<string> Names() => [.. Loss.Names];

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_registered_name_creates_a_loss_of_that_name(string name)
    {
        var loss = Loss.Create(name);
        Assert.Equal(name, loss.Name);
        Assert.Equal(name == "kl_div" ? Reduction.BatchMean : Reduction.Mean, loss.Reduction);
        Assert.Equal(Reduction.Sum, Loss.Create(name.ToUpperInvariant().Replace('_', '-'), Reduction.Sum).Reduction);
    }

    [Theory]
    [InlineData("mean_squared_error", typeof(MseLoss))]
    [InlineData("l1", typeof(MaeLoss))]
    [InlineData("binary_crossentropy", typeof(BceLoss))]
    [InlineData("sparse_categorical_crossentropy", typeof(CrossEntropyLoss))]
    [InlineData("categorical_crossentropy", typeof(CrossEntropyLoss))]
    [InlineData("kl_divergence", typeof(KlDivLoss))]
    public void Keras_style_aliases_are_accepted(string alias, Type type) => Assert.IsType(type, Loss.Create(alias));

    [Fact]
    public void Loss_objects_compute_what_the_functions_compute()
    {
        var g = new Generator(60);
        var p = Tensor.Randn([5, 3], g);
        var t = Tensor.Randn([5, 3], g);
        var probabilities = Tensor.Rand([5, 3], g) * 0.9f + 0.05f;
        var coins = Tensor.Bernoulli(0.5f, [5, 3], g);
        var labels = Tensor.FromArray(0f, 2f, 1f, 1f, 0f);
        var pairs = Tensor.Randn([5, 2, 3], g);
        var triplets = Tensor.Randn([5, 3, 3], g);
        var signs = Tensor.FromArray(1f, -1f, 1f, -1f, 1f);
        var rows = new (Loss Object, Tensor Prediction, Tensor Target, Tensor Expected)[]
        {
            (new MseLoss(Reduction.Sum), p, t, L.Mse(p, t, Reduction.Sum)),
            (new RmseLoss(Reduction.None), p, t, L.Rmse(p, t, Reduction.None)),
            (new MaeLoss(), p, t, L.Mae(p, t)),
            (new HuberLoss(0.5f), p, t, L.Huber(p, t, 0.5f)),
            (new SmoothL1Loss(0.5f), p, t, L.SmoothL1(p, t, 0.5f)),
            (new BceLoss(), probabilities, coins, L.BinaryCrossEntropy(probabilities, coins)),
            (new BceWithLogitsLoss(Tensor.FromArray(1f, 2f, 3f)), p, coins, L.BinaryCrossEntropyWithLogits(p, coins, Tensor.FromArray(1f, 2f, 3f))),
            (new CrossEntropyLoss(labelSmoothing: 0.1f), p, labels, L.CrossEntropy(p, labels, labelSmoothing: 0.1f)),
            (new NllLoss(Tensor.FromArray(1f, 2f, 3f)), p, labels, L.Nll(p, labels, Tensor.FromArray(1f, 2f, 3f))),
            (new KlDivLoss(logTarget: true), p, t, L.KlDiv(p, t, Reduction.BatchMean, logTarget: true)),
            (new TripletMarginLoss(margin: 0.5f), triplets, labels, L.TripletMargin(triplets.Select(1, 0), triplets.Select(1, 1), triplets.Select(1, 2), 0.5f)),
            (new CosineEmbeddingLoss(0.1f), pairs, signs, L.CosineEmbedding(pairs.Select(1, 0), pairs.Select(1, 1), signs, 0.1f)),
            (new GanDiscriminatorLoss(), p, t, L.GanDiscriminator(p, t)),
            (new GanGeneratorLoss(), p, labels, L.GanGeneratorNonSaturating(p)),
            (new GanGeneratorLoss(nonSaturating: false), p, labels, L.GanGeneratorMinimax(p)),
        };
        foreach (var (obj, prediction, target, expected) in rows)
        {
            Assert.True(expected.ValueEquals(obj.Compute(prediction, target)), $"{obj}: object and function differ");
        }
    }

    [Fact]
    public void Loss_objects_describe_their_options()
    {
        Assert.Equal("CrossEntropyLoss(labelSmoothing: 0.1, ignoreIndex: -100, reduction: Mean)", new CrossEntropyLoss(ignoreIndex: -100, labelSmoothing: 0.1f).ToString());
        Assert.Equal("HuberLoss(delta: 2, reduction: Sum)", new HuberLoss(2f, Reduction.Sum).ToString());
    }
}
