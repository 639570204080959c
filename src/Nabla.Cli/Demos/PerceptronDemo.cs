using Nabla.Cli.Reports;
using Nabla.NN;

namespace Nabla.Cli.Demos;

/// <summary>
/// Pass or fail from study, play and sleep hours: the classic perceptron rule (binary step) next to a sigmoid
/// neuron trained by gradient descent on the same students.
/// </summary>
internal sealed class PerceptronDemo : Demo
{
    public override string Name => "perceptron";
    public override string Description => "a perceptron (step, perceptron rule) and a sigmoid neuron (gradient descent) learn pass/fail from study, play and sleep hours";

    public override DemoResult Run(DemoContext context)
    {
        var (x, y) = Students(context.Quick ? 40 : 120, new Generator(context.Seed));
        var n = y.Shape[0];
        var result = new DemoResult();

        context.Say($"   {n} students, features: study, play, sleep hours per day; label 1 = pass");
        var perceptron = new Perceptron(3);
        var errors = perceptron.Fit(x, y, epochs: 200, learningRate: 0.1f);
        var w = perceptron.Weight.ToArray();
        context.Say($"   perceptron: errors per epoch {string.Join(" ", errors)}");
        context.Say($"   perceptron: w = [{w[0]:0.00}, {w[1]:0.00}, {w[2]:0.00}] (study, play, sleep), b = {perceptron.Bias.Item():0.00}");
        var perceptronAccuracy = perceptron.Predict(x).Eq(y).Mean().Item();
        context.Say($"   perceptron: training accuracy {perceptronAccuracy:P0} after {errors.Count} epochs");

        var neuron = new SigmoidNeuron(3, new Generator(context.Seed + 1));
        var epochs = context.Quick ? 1500 : 4000;
        var losses = neuron.Fit(x, y, epochs, learningRate: 0.05f);
        var v = neuron.Linear.Weight.ToArray();
        var neuronAccuracy = neuron.Predict(x).Eq(y).Mean().Item();
        context.Say($"   sigmoid neuron: loss {losses[0]:0.000} -> {losses[^1]:0.000} over {epochs} epochs (binary cross-entropy)");
        context.Say($"   sigmoid neuron: w = [{v[0]:0.00}, {v[1]:0.00}, {v[2]:0.00}], b = {neuron.Linear.Bias!.Item():0.00}, accuracy {neuronAccuracy:P0}");

        // New students: a hard worker, a player, one in between.
        var fresh = Tensor.FromArray([8f, 1f, 8f, 1f, 6f, 6f, 5f, 2f, 7f], 3, 3);
        var p = neuron.Forward(fresh).ToArray();
        var step = perceptron.Predict(fresh).ToArray();
        string[] who = ["study 8, play 1, sleep 8", "study 1, play 6, sleep 6", "study 5, play 2, sleep 7"];
        for (var i = 0; i < 3; i++)
        {
            context.Say($"   new student ({who[i]}): sigmoid output {p[i]:0.000} -> {(p[i] > 0.5f ? "pass" : "fail")}, perceptron -> {(step[i] == 1f ? "pass" : "fail")}");
        }

        result["perceptron_epochs"] = errors.Count;
        result["perceptron_final_errors"] = errors[^1];
        result["perceptron_accuracy"] = perceptronAccuracy;
        result["sigmoid_first_loss"] = losses[0];
        result["sigmoid_final_loss"] = losses[^1];
        result["sigmoid_accuracy"] = neuronAccuracy;
        result["p_hard_worker"] = p[0];
        result["p_player"] = p[1];

        context.SaveChart("perceptron-errors.svg", SvgChart.Line("Perceptron: misclassified students per epoch", "epoch", "errors")
            .Series("perceptron rule", [.. errors.Select(e => (double)e)]).IntegerX());
        context.SaveChart("sigmoid-loss.svg", SvgChart.Line("Sigmoid neuron: binary cross-entropy", "epoch", "loss").Series("gradient descent", losses));
        return result;
    }

    /// <summary>
    /// Students with study ∈ [0, 10], play ∈ [0, 6], sleep ∈ [4, 9] hours; they pass when
    /// study - 0.8·play + 0.5·sleep &gt; 5. Students within 0.5 of that line are redrawn so the classes are separable.
    /// </summary>
    internal static (Tensor X, Tensor Y) Students(int count, Generator g)
    {
        var x = new float[count * 3];
        var y = new float[count];
        for (var i = 0; i < count;)
        {
            var u = Tensor.Rand([3], g).ToArray();
            var (study, play, sleep) = (10f * u[0], 6f * u[1], 4f + 5f * u[2]);
            var score = study - 0.8f * play + 0.5f * sleep - 5f;
            if (MathF.Abs(score) < 0.5f) continue;
            (x[3 * i], x[3 * i + 1], x[3 * i + 2]) = (study, play, sleep);
            y[i++] = score > 0 ? 1f : 0f;
        }
        return (Tensor.FromArray(x, count, 3), Tensor.FromArray(y, count));
    }
}
