using Nabla.NN;
using Nabla.Tests.Support;
using L = Nabla.NN.Losses;

namespace Nabla.Tests.NN.Losses;

/// <summary>Every loss and every reduction against the double-precision references of <see cref="LossCases"/>.</summary>
public class LossValueTests
{
    public static TheoryData<string, Reduction> All()
    {
        var data = new TheoryData<string, Reduction>();
        foreach (var name in LossCases.Rows.Keys)
        {
            foreach (var r in Enum.GetValues<Reduction>()) data.Add(name, r);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Matches_the_reference(string name, Reduction reduction)
    {
        var row = LossCases.Rows[name];
        var sum = row.Unreduced.Sum();
        var expected = reduction switch
        {
            Reduction.None => new NdArray(row.Unreduced, row.Shape),
            Reduction.Sum => new NdArray([sum], []),
            Reduction.Mean => new NdArray([row.Mean ?? sum / row.Unreduced.Length], []),
            _ => new NdArray([row.Shape.Length == 0 ? sum : sum / row.Shape[0]], []),
        };
        Check.Close(expected, row.Loss(reduction), rtol: 1e-4, atol: 1e-5, context: $"{name} ({reduction})");
    }

    [Fact]
    public void Heights_example_gives_mse_13_4_rmse_3_66_and_mae_3_4()
    {
        var actual = Tensor.FromArray(170f, 165f, 160f, 155f, 150f);
        var predicted = Tensor.FromArray(165f, 170f, 162f, 157f, 153f);
        // errors -5, 5, 2, 2, 3: squares sum to 67, absolute values to 17, over 5 people
        Assert.Equal(13.4f, L.Mse(predicted, actual).Item(), 1e-4);
        Assert.Equal(3.6606f, L.Rmse(predicted, actual).Item(), 1e-4);
        Assert.Equal(3.4f, L.Mae(predicted, actual).Item(), 1e-4);
        Assert.Equal(67f, L.Mse(predicted, actual, Reduction.Sum).Item(), 1e-3);
        Check.Close([5f, 5f, 2f, 2f, 3f], L.Rmse(predicted, actual, Reduction.None), context: "per-person RMSE is |error|");
    }

    [Fact]
    public void Gan_discriminator_adds_the_real_and_fake_terms()
    {
        var real = Tensor.FromArray(2f, -1f, 0.5f, 3f);
        var fake = Tensor.FromArray(-2f, 1f, 0f);
        var realTerms = LossReference.D(real).Select(x => -Math.Log(1 / (1 + Math.Exp(-x)))).ToArray();       // -log D(x)
        var fakeTerms = LossReference.D(fake).Select(x => -Math.Log(1 - 1 / (1 + Math.Exp(-x)))).ToArray();   // -log(1 - D(G(z)))
        Check.Close(new NdArray([.. realTerms, .. fakeTerms], [7]), L.GanDiscriminator(real, fake, Reduction.None), context: "None");
        Assert.Equal(realTerms.Average() + fakeTerms.Average(), L.GanDiscriminator(real, fake).Item(), 1e-5);
        Assert.Equal(realTerms.Sum() + fakeTerms.Sum(), L.GanDiscriminator(real, fake, Reduction.Sum).Item(), 1e-5);
        // The same as two BCE-with-logits terms with targets 1 and 0.
        var asBce = L.BinaryCrossEntropyWithLogits(real, Tensor.OnesLike(real)) + L.BinaryCrossEntropyWithLogits(fake, Tensor.ZerosLike(fake));
        Assert.Equal(asBce.Item(), L.GanDiscriminator(real, fake).Item(), 1e-5);
    }

    [Fact]
    public void Non_saturating_generator_loss_is_bce_with_logits_against_one()
    {
        var fake = Tensor.FromArray(-3f, -0.5f, 0f, 2f);
        Assert.Equal(L.BinaryCrossEntropyWithLogits(fake, Tensor.OnesLike(fake)).Item(), L.GanGeneratorNonSaturating(fake).Item(), 1e-6);
    }

    [Fact]
    public void Huber_is_smooth_l1_times_delta()
    {
        var p = Tensor.Randn([10], new Generator(40)) * 3f;
        var t = Tensor.Randn([10], new Generator(41));
        Check.Close(LossReference.D(L.SmoothL1(p, t, 2f, Reduction.None) * 2f).Select(v => (float)v).ToArray(), L.Huber(p, t, 2f, Reduction.None), context: "Huber(δ) = δ·SmoothL1(β = δ)");
    }

    [Fact]
    public void Kl_divergence_of_a_distribution_with_itself_is_zero_and_batchmean_is_the_default()
    {
        var q = Nabla.NN.Functional.Softmax(Tensor.Randn([3, 4], new Generator(42)));
        Assert.Equal(0f, L.KlDiv(q.Log(), q).Item(), 1e-6);
        var input = Nabla.NN.Functional.LogSoftmax(Tensor.Randn([3, 4], new Generator(43)));
        Assert.Equal(L.KlDiv(input, q, Reduction.Sum).Item() / 3f, L.KlDiv(input, q).Item(), 1e-6);
    }
}
