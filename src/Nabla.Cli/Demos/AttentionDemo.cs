using System.Globalization;
using Nabla.Cli.Reports;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Cli.Demos;

/// <summary>
/// Attention on a toy task: point at the position of the largest number in a sequence. Every position attends to every
/// other, so one self-attention layer can compare them all; the learned attention weights are printed for one example.
/// </summary>
internal sealed class AttentionDemo : Demo
{
    public override string Name => "attention";
    public override string Description => "self-attention learns to point at the largest number in a sequence; its attention weights shown";

    private sealed class Pointer : Module
    {
        private readonly Linear _embed, _score;
        private readonly Tensor _positions;

        public Pointer(int length, int width, Generator g)
        {
            _embed = Add("embed", new Linear(1, width, generator: g));
            Attention = Add("attention", new MultiHeadAttention(width, 2, batchFirst: true, generator: g));
            _score = Add("score", new Linear(width, 1, generator: g));
            _positions = AddParameter("positions", Tensor.Randn([length, width], g) * 0.1f);
        }

        public MultiHeadAttention Attention { get; }

        public (Tensor Scores, Tensor Weights) Run(Tensor x) // x [N, T] -> scores [N, T], weights [N, T, T]
        {
            var h = _embed.Forward(x.Unsqueeze(-1)) + _positions;              // [N, T, width]
            var (attended, weights) = Attention.Forward(h, h, h);              // [N, T, width], [N, T, T]
            return (_score.Forward((h + attended).Relu()).Squeeze(-1), weights!);
        }

        protected override Tensor Compute(Tensor input) => Run(input).Scores;
    }

    public override DemoResult Run(DemoContext context)
    {
        const int length = 8, width = 16;
        var g = new Generator(context.Seed);
        var model = new Pointer(length, width, g);
        var optimizer = new Adam(model.Parameters(), 3e-3f);
        var loss = new CrossEntropyLoss();
        var steps = context.Quick ? 300 : 1500;
        var curve = new List<double>();
        for (var step = 0; step < steps; step++)
        {
            using var scope = TensorScope.Begin();
            var x = Tensor.Rand([64, length], g);
            var l = loss.Compute(model.Forward(x), x.ArgMax(1));
            optimizer.ZeroGrad();
            l.Backward();
            optimizer.Step();
            if (step % 10 == 0) curve.Add(l.Item());
        }

        model.Eval();
        using var noGrad = Autograd.NoGrad();
        var test = Tensor.Rand([1000, length], new Generator(context.Seed + 1));
        var accuracy = (double)model.Forward(test).ArgMax(1).Eq(test.ArgMax(1)).Mean().Item();
        context.Say($"   accuracy on 1000 new sequences: {accuracy:0.000} (chance {1.0 / length:0.000})");

        var example = test.Narrow(0, 0, 1);
        var (_, weights) = model.Run(example);
        var values = example.ToArray();
        var target = (int)example.ArgMax(1).Item();
        context.Say($"   example: {string.Join(" ", values.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture)))} (largest at position {target})");
        var rows = weights.Reshape(length, length).ToArray();
        var onTarget = Enumerable.Range(0, length).Average(i => rows[i * length + target]);
        context.Say($"   attention paid to the largest number, averaged over positions: {onTarget:0.000} (uniform would be {1.0 / length:0.000})");
        var matrix = new double[length, length];
        for (var i = 0; i < length; i++)
        for (var j = 0; j < length; j++) matrix[i, j] = rows[i * length + j];
        var labels = Enumerable.Range(0, length).Select(i => values[i].ToString("0.00", CultureInfo.InvariantCulture)).ToList();
        context.SaveChart("attention.svg", SvgChart.Heatmap("Attention weights (row attends to column)", matrix, labels, labels, "query", "key"));
        context.SaveChart("loss.svg", SvgChart.Line("Training loss", xLabel: "step / 10", yLabel: "cross-entropy").Series("loss", curve.ToArray()));
        return new DemoResult { ["accuracy"] = accuracy, ["attention_on_max"] = onTarget, ["chance"] = 1.0 / length };
    }
}
