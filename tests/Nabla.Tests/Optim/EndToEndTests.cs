using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>Every optimizer fits a small linear regression: 150 full-batch steps cut the mean squared error a hundredfold.</summary>
public class EndToEndTests
{
    public static TheoryData<string, float> Settings() => new()
    {
        { "sgd", 0.1f }, { "adagrad", 0.5f }, { "rmsprop", 0.05f }, { "adam", 0.1f }, { "adamw", 0.1f }, { "adamax", 0.1f }, { "nadam", 0.1f },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Fitting_a_linear_regression_lowers_the_loss(string name, float learningRate)
    {
        var g = new Generator(3);
        var x = Tensor.Randn([64, 3], g);
        var y = x.MatMul(Tensor.FromArray([2f, -3f, 0.5f], 3, 1)) + 1f;
        var model = new Linear(3, 1, generator: g);
        var optimizer = Optimizers.Create(name, model.Parameters(), learningRate);
        float Loss()
        {
            var diff = model.Forward(x) - y;
            var loss = (diff * diff).Mean();
            loss.Backward();
            return loss.Item();
        }
        var first = Loss();
        var last = first;
        for (var step = 0; step < 150; step++)
        {
            using var scope = TensorScope.Begin();
            optimizer.ZeroGrad();
            last = Loss();
            optimizer.Step();
        }
        Assert.True(last < first / 100, $"{name}: loss went from {first} to {last}");
    }
}
