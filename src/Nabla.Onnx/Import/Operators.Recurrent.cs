namespace Nabla.Onnx.Import;

internal static partial class Operators
{
    private static void AddRecurrent(Dictionary<string, Func<OnnxNode, OnnxValue[]>> t)
    {
        t["RNN"] = n => Recurrent(n, 1, ["Tanh"]);
        t["GRU"] = n => Recurrent(n, 3, ["Sigmoid", "Tanh"]);
        t["LSTM"] = n => Recurrent(n, 4, ["Sigmoid", "Tanh", "Tanh"]);
    }

    private static Func<Tensor, Tensor> Activation(OnnxNode n, string name, float? alpha, float? beta) => name switch
    {
        "Sigmoid" => x => x.Sigmoid(),
        "Tanh" => x => x.Tanh(),
        "Relu" => x => x.Relu(),
        "LeakyRelu" => x => NN.Functional.LeakyRelu(x, alpha ?? 0.01f),
        "HardSigmoid" => x => (x * (alpha ?? 0.2f) + (beta ?? 0.5f)).Clamp(0f, 1f),
        "Affine" => x => x * (alpha ?? 1f) + (beta ?? 0f),
        "ScaledTanh" => x => (x * (beta ?? 1f)).Tanh() * (alpha ?? 1f),
        _ => throw new NotSupportedException($"ONNX {n.Describe()}: activation '{name}' is not supported."),
    };

    /// <summary>
    /// ONNX RNN, GRU and LSTM (gate orders: LSTM i, o, f, c; GRU z, r, h): X [T, N, I] (layout 1: [N, T, I]),
    /// W [D, G·H, I], R [D, G·H, H], B [D, 2·G·H] (W biases then R biases), initial states [D, N, H];
    /// outputs Y [T, D, N, H] (layout 1: [N, T, D, H]), Y_h and Y_c [D, N, H] (layout 1: [N, D, H]).
    /// </summary>
    private static OnnxValue[] Recurrent(OnnxNode n, int gates, string[] defaults)
    {
        var layout = n.Int("layout", 0);
        var x = n.Float(0);
        if (x.Rank != 3) throw n.Error($"X must be rank 3; got {x.Shape}.");
        if (layout != 0) x = x.Transpose(0, 1);
        var (w, r) = (n.Float(1), n.Float(2));
        var b = n.OptionalFloat(3);
        int steps = x.Shape[0], batch = x.Shape[1], hidden = r.Shape[-1];
        var direction = n.String("direction", "forward");
        var directions = direction == "bidirectional" ? 2 : direction is "forward" or "reverse" ? 1 : throw n.Error($"direction '{direction}' is invalid.");
        if (n.Has("hidden_size") && n.Int("hidden_size", hidden) != hidden) throw n.Error($"hidden_size {n.Int("hidden_size", 0)} does not match R {r.Shape}.");
        if (w.Rank != 3 || w.Shape[0] != directions || w.Shape[1] != gates * hidden || w.Shape[2] != x.Shape[2])
        {
            throw n.Error($"W must be [{directions}, {gates * hidden}, {x.Shape[2]}]; got {w.Shape}.");
        }
        if (r.Rank != 3 || r.Shape[0] != directions || r.Shape[1] != gates * hidden) throw n.Error($"R must be [{directions}, {gates * hidden}, {hidden}]; got {r.Shape}.");
        if (n.OptionalInts(4) is { } lengths && lengths.Any(l => l != steps))
        {
            throw new NotSupportedException($"ONNX {n.Describe()}: sequence_lens shorter than the sequence ({steps}) are not supported.");
        }
        if (n.Int("input_forget", 0) != 0) throw new NotSupportedException($"ONNX {n.Describe()}: input_forget is not supported.");
        var clip = n.Has("clip") ? n.Float("clip", 0f) : (float?)null;
        var linearBeforeReset = n.Int("linear_before_reset", 0) != 0;

        var names = n.Strings("activations") ?? [.. Enumerable.Range(0, directions).SelectMany(_ => defaults)];
        if (names.Length != defaults.Length * directions) throw n.Error($"activations must list {defaults.Length * directions} functions.");
        var (alphas, betas) = (n.Floats("activation_alpha"), n.Floats("activation_beta"));
        var functions = names.Select((name, i) => Activation(n, name, alphas is { } a && i < a.Length ? a[i] : null, betas is { } bb && i < bb.Length ? bb[i] : null)).ToArray();

        Tensor? State(int index)
        {
            var s = n.OptionalFloat(index);
            if (s is not null && layout != 0) s = s.Transpose(0, 1);
            if (s is not null && (s.Rank != 3 || s.Shape[0] != directions || s.Shape[1] != batch || s.Shape[2] != hidden))
            {
                throw n.Error($"initial state (input {index}) must be [{directions}, {batch}, {hidden}]; got {s.Shape}.");
            }
            return s;
        }
        var (h0, c0) = (State(5), gates == 4 ? State(6) : null);
        var peepholes = gates == 4 ? n.OptionalFloat(7) : null;

        var outputs = new Tensor[directions];
        var finalH = new Tensor[directions];
        var finalC = new Tensor[directions];
        for (var d = 0; d < directions; d++)
        {
            var reverse = direction == "reverse" || d == 1;
            var wd = w.Select(0, d);                                   // [G·H, I]
            var rd = r.Select(0, d);                                   // [G·H, H]
            var bw = b?.Select(0, d).Narrow(0, 0, gates * hidden);     // [G·H]
            var br = b?.Select(0, d).Narrow(0, gates * hidden, gates * hidden);
            var f = functions.Skip(d * defaults.Length).Take(defaults.Length).ToArray();
            Tensor Act(int i, Tensor v) => f[i](clip is { } c ? v.Clamp(-c, c) : v);
            var projected = x.Reshape(steps * batch, x.Shape[2]).MatMul(wd.T).Reshape(steps, batch, gates * hidden);
            if (bw is not null) projected += gates == 3 ? bw : bw + br!; // GRU's R bias of h sits inside the reset product
            var h = h0?.Select(0, d) ?? Tensor.Zeros(batch, hidden);
            var c = c0?.Select(0, d) ?? Tensor.Zeros(batch, hidden);
            var p = peepholes?.Select(0, d);
            var hs = new Tensor[steps];
            for (var i = 0; i < steps; i++)
            {
                var time = reverse ? steps - 1 - i : i;
                var xt = projected.Select(0, time); // [N, G·H]
                if (gates == 1)
                {
                    h = Act(0, xt + h.MatMul(rd.T));
                }
                else if (gates == 3)
                {
                    var rh = h.MatMul(rd.T);       // [N, 3H]
                    if (br is not null) rh += br;
                    var z = Act(0, xt.Narrow(1, 0, hidden) + rh.Narrow(1, 0, hidden));
                    var reset = Act(0, xt.Narrow(1, hidden, hidden) + rh.Narrow(1, hidden, hidden));
                    Tensor candidate;
                    if (linearBeforeReset)
                    {
                        candidate = Act(1, xt.Narrow(1, 2 * hidden, hidden) + reset * rh.Narrow(1, 2 * hidden, hidden));
                    }
                    else
                    {
                        var recurrent = (reset * h).MatMul(rd.Narrow(0, 2 * hidden, hidden).T);
                        if (br is not null) recurrent += br.Narrow(0, 2 * hidden, hidden);
                        candidate = Act(1, xt.Narrow(1, 2 * hidden, hidden) + recurrent);
                    }
                    h = candidate + z * (h - candidate); // (1 - z)·h̃ + z·h
                }
                else
                {
                    var g = xt + h.MatMul(rd.T);   // [N, 4H] in order i, o, f, c
                    var (gi, go, gf, gc) = (g.Narrow(1, 0, hidden), g.Narrow(1, hidden, hidden), g.Narrow(1, 2 * hidden, hidden), g.Narrow(1, 3 * hidden, hidden));
                    if (p is not null)
                    {
                        gi += p.Narrow(0, 0, hidden) * c;
                        gf += p.Narrow(0, 2 * hidden, hidden) * c;
                    }
                    c = Act(0, gf) * c + Act(0, gi) * Act(1, gc);
                    if (p is not null) go += p.Narrow(0, hidden, hidden) * c;
                    h = Act(0, go) * Act(2, c);
                }
                hs[time] = h;
            }
            outputs[d] = Tensor.Stack(hs, 0); // [T, N, H]
            (finalH[d], finalC[d]) = (h, c);
        }
        var y = Tensor.Stack(outputs, 1);     // [T, D, N, H]
        var yh = Tensor.Stack(finalH, 0);     // [D, N, H]
        var yc = Tensor.Stack(finalC, 0);
        if (layout != 0)
        {
            y = y.Permute(2, 0, 1, 3);        // [N, T, D, H]
            (yh, yc) = (yh.Transpose(0, 1), yc.Transpose(0, 1));
        }
        return gates == 4 ? [OnnxValue.Float(y), OnnxValue.Float(yh), OnnxValue.Float(yc)] : [OnnxValue.Float(y), OnnxValue.Float(yh)];
    }
}
