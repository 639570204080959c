using Nabla.NN;

namespace Nabla.Tests.NN.Recurrent;

/// <summary>An Lstm classifier learns a toy task that needs memory: the sign of the first element of a noisy sequence.</summary>
public class LstmLearningTests
{
    private const int Steps = 6;

    private static (Tensor X, Tensor Y) Batch(int n, Generator gen)
    {
        var x = Tensor.Randn([n, Steps, 1], gen); // [N, T, 1]
        var y = x.Select(1, 0).Gt(0f);            // [N, 1]: 1 when the first element is positive
        return (x, y);
    }

    [Fact]
    public void Lstm_remembers_the_sign_of_the_first_element()
    {
        var lstm = new Lstm(1, 8, batchFirst: true, generator: new Generator(1));
        var head = new Linear(8, 1, generator: new Generator(2));
        var model = new Sequential(lstm, new LastTimeStep(batchFirst: true), head);
        var gen = new Generator(3);

        // Adam written out by hand (no optimizer in this test's reach): m, v moment estimates per parameter.
        var parameters = model.Parameters().ToArray();
        var m = parameters.Select(p => new float[p.Count]).ToArray();
        var v = parameters.Select(p => new float[p.Count]).ToArray();
        const float lr = 0.03f, beta1 = 0.9f, beta2 = 0.999f;
        for (var step = 1; step <= 150; step++)
        {
            var (x, y) = Batch(32, gen);
            var logits = model.Forward(x);                                  // [N, 1]
            var loss = Functional.Softplus(logits * (1f - 2f * y)).Mean(); // logistic loss: log(1 + e^(-z)) for y = 1
            model.ZeroGrad();
            loss.Backward();
            using (Autograd.NoGrad())
            {
                for (var k = 0; k < parameters.Length; k++)
                {
                    var g = parameters[k].Grad!.ToArray();
                    var update = new float[g.Length];
                    for (var i = 0; i < g.Length; i++)
                    {
                        m[k][i] = beta1 * m[k][i] + (1 - beta1) * g[i];
                        v[k][i] = beta2 * v[k][i] + (1 - beta2) * g[i] * g[i];
                        var mHat = m[k][i] / (1 - MathF.Pow(beta1, step));
                        var vHat = v[k][i] / (1 - MathF.Pow(beta2, step));
                        update[i] = lr * mHat / (MathF.Sqrt(vHat) + 1e-8f);
                    }
                    parameters[k].SubInPlace(Tensor.FromArray(update, parameters[k].Shape.ToArray()));
                }
            }
        }

        model.Eval();
        var (testX, testY) = Batch(500, new Generator(99));
        using var _ = Autograd.NoGrad();
        var accuracy = model.Forward(testX).Gt(0f).Eq(testY).Mean().Item();
        Assert.True(accuracy > 0.9f, $"accuracy {accuracy} after training; chance is 0.5");
    }
}
