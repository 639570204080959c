namespace Nabla.Tests.NN.Recurrent;

/// <summary>
/// The gate equations of PyTorch's RNN, LSTM and GRU written out with double-precision loops over
/// plain arrays: one layer, direction, batch row and time step at a time. Nothing here calls the
/// layers' code; it only reads their weights by name.
/// </summary>
internal static class RecurrentReference
{
    /// <summary>
    /// x[t, n, i] (time first) and optional initial states [state][layer·dirs, n, h] ->
    /// output [t, n, dirs·h] and final states [state][layer·dirs, n, h].
    /// </summary>
    public static (double[,,] Output, double[][,,] Final) Run(string kind, IReadOnlyDictionary<string, float[]> p, int layers, bool bidirectional,
        int hidden, double[,,] x, double[][,,]? initial)
    {
        int steps = x.GetLength(0), batch = x.GetLength(1);
        var dirs = bidirectional ? 2 : 1;
        var stateCount = kind == "lstm" ? 2 : 1;
        var final = new double[stateCount][,,];
        for (var s = 0; s < stateCount; s++) final[s] = new double[layers * dirs, batch, hidden];
        var input = x;
        for (var l = 0; l < layers; l++)
        {
            var output = new double[steps, batch, dirs * hidden];
            for (var d = 0; d < dirs; d++)
            {
                var suffix = $"_l{l}" + (d == 1 ? "_reverse" : "");
                var wih = p["weight_ih" + suffix];
                var whh = p["weight_hh" + suffix];
                p.TryGetValue("bias_ih" + suffix, out var bih);
                p.TryGetValue("bias_hh" + suffix, out var bhh);
                var inSize = input.GetLength(2);
                var cellIndex = l * dirs + d;
                for (var n = 0; n < batch; n++)
                {
                    var h = new double[hidden];
                    var c = new double[hidden];
                    for (var j = 0; j < hidden; j++)
                    {
                        h[j] = initial is null ? 0 : initial[0][cellIndex, n, j];
                        c[j] = initial is null || stateCount == 1 ? 0 : initial[1][cellIndex, n, j];
                    }
                    for (var step = 0; step < steps; step++)
                    {
                        var t = d == 0 ? step : steps - 1 - step;
                        var xt = new double[inSize];
                        for (var i = 0; i < inSize; i++) xt[i] = input[t, n, i];
                        var gi = Affine(wih, bih, xt);
                        var gh = Affine(whh, bhh, h);
                        (h, c) = kind switch
                        {
                            "rnn_tanh" => (Map(gi, gh, Math.Tanh), c),
                            "rnn_relu" => (Map(gi, gh, v => Math.Max(v, 0)), c),
                            "lstm" => LstmStep(gi, gh, c, hidden),
                            "gru" => (GruStep(gi, gh, h, hidden), c),
                            _ => throw new ArgumentException(kind),
                        };
                        for (var j = 0; j < hidden; j++) output[t, n, d * hidden + j] = h[j];
                    }
                    for (var j = 0; j < hidden; j++)
                    {
                        final[0][cellIndex, n, j] = h[j];
                        if (stateCount == 2) final[1][cellIndex, n, j] = c[j];
                    }
                }
            }
            input = output; // no dropout: the references run in eval mode or with dropout 0
        }
        return (input, final);
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    /// <summary>W·v + b for W [rows, v.Length] flattened row-major.</summary>
    private static double[] Affine(float[] w, float[]? b, double[] v)
    {
        var rows = w.Length / v.Length;
        var y = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            double s = b is null ? 0 : b[r];
            for (var k = 0; k < v.Length; k++) s += w[r * v.Length + k] * v[k];
            y[r] = s;
        }
        return y;
    }

    private static double[] Map(double[] a, double[] b, Func<double, double> f)
    {
        var y = new double[a.Length];
        for (var j = 0; j < a.Length; j++) y[j] = f(a[j] + b[j]);
        return y;
    }

    private static (double[] H, double[] C) LstmStep(double[] gi, double[] gh, double[] c, int hidden)
    {
        var hNew = new double[hidden];
        var cNew = new double[hidden];
        for (var j = 0; j < hidden; j++)
        {
            var i = Sigmoid(gi[j] + gh[j]);
            var f = Sigmoid(gi[hidden + j] + gh[hidden + j]);
            var g = Math.Tanh(gi[2 * hidden + j] + gh[2 * hidden + j]);
            var o = Sigmoid(gi[3 * hidden + j] + gh[3 * hidden + j]);
            cNew[j] = f * c[j] + i * g;
            hNew[j] = o * Math.Tanh(cNew[j]);
        }
        return (hNew, cNew);
    }

    private static double[] GruStep(double[] gi, double[] gh, double[] h, int hidden)
    {
        var hNew = new double[hidden];
        for (var j = 0; j < hidden; j++)
        {
            var r = Sigmoid(gi[j] + gh[j]);
            var z = Sigmoid(gi[hidden + j] + gh[hidden + j]);
            var n = Math.Tanh(gi[2 * hidden + j] + r * gh[2 * hidden + j]);
            hNew[j] = (1 - z) * n + z * h[j];
        }
        return hNew;
    }
}
