using Nabla.NN;

namespace Nabla.Onnx.Import;

internal static partial class Operators
{
    // ONNX's Selu constants (the float32 values the spec lists as defaults).
    private const float SeluAlpha = 1.67326319217681884765625f;
    private const float SeluGamma = 1.05070102214813232421875f;

    private static void AddActivations(Dictionary<string, Func<OnnxNode, OnnxValue[]>> t)
    {
        t["Relu"] = n => One(n.Float(0).Relu());
        t["Sigmoid"] = n => One(n.Float(0).Sigmoid());
        t["Tanh"] = n => One(n.Float(0).Tanh());
        t["LeakyRelu"] = n => One(Functional.LeakyRelu(n.Float(0), n.Float("alpha", 0.01f)));
        t["PRelu"] = n =>
        {
            var x = n.Float(0);
            return One(Tensor.Where(x.Gt(0f), x, x * n.Float(1)));
        };
        t["Elu"] = n => One(Functional.Elu(n.Float(0), n.Float("alpha", 1f)));
        t["Selu"] = n => One(Functional.Elu(n.Float(0), n.Float("alpha", SeluAlpha)) * n.Float("gamma", SeluGamma));
        t["Softplus"] = n => One(Functional.Softplus(n.Float(0)));
        t["Softsign"] = n =>
        {
            var x = n.Float(0);
            return One(x / (x.Abs() + 1f));
        };
        // y = max(0, min(1, αx + β)); PyTorch's hard sigmoid is α = 1/6, β = 1/2.
        t["HardSigmoid"] = n => One((n.Float(0) * n.Float("alpha", 0.2f) + n.Float("beta", 0.5f)).Clamp(0f, 1f));
        t["HardSwish"] = n =>
        {
            var x = n.Float(0);
            return One(x * (x / 6f + 0.5f).Clamp(0f, 1f));
        };
        t["Gelu"] = n => n.String("approximate", "none") switch
        {
            "none" => One(Functional.Gelu(n.Float(0))),
            "tanh" => One(Functional.Gelu(n.Float(0), GeluApproximation.Tanh)),
            var other => throw n.Error($"approximate must be 'none' or 'tanh'; got '{other}'."),
        };
        t["Softmax"] = n => Softmax(n, log: false);
        t["LogSoftmax"] = n => Softmax(n, log: true);
    }

    /// <summary>
    /// Opset 13 and later: along one axis (default -1). Before 13: the input is seen as 2-D [∏ dims before axis, ∏ dims from
    /// axis] (axis default 1) and normalised over the second, which differs whenever axis is not the last.
    /// </summary>
    private static OnnxValue[] Softmax(OnnxNode n, bool log)
    {
        var x = n.Float(0);
        Tensor Apply(Tensor v, int axis) => log ? Functional.LogSoftmax(v, axis) : Functional.Softmax(v, axis);
        if (n.Opset >= 13) return One(Apply(x, n.Axis(n.Int("axis", -1), x.Rank)));
        var rank = x.Rank;
        var axis = n.Axis(n.Int("axis", 1), rank);
        var dims = x.Shape.ToArray();
        var outer = dims[..axis].Aggregate(1, (p, d) => p * d);
        var inner = dims[axis..].Aggregate(1, (p, d) => p * d);
        return One(Apply(x.Reshape(outer, inner), 1).Reshape(dims));
    }
}
