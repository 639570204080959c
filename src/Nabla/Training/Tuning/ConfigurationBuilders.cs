using System.Globalization;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Training.Tuning;

/// <summary>
/// Builds models and optimizers from the conventional hyperparameter names, so the usual ones are searchable without
/// glue code: <c>hidden</c> (width, or sizes such as "64-32"), <c>depth</c>, <c>activation</c> (any of
/// <see cref="ActivationLayer.Names"/>), <c>dropout</c>, <c>optimizer</c> (any of <see cref="Optimizers.Names"/>), <c>lr</c>,
/// <c>weight_decay</c> and <c>optimizer.&lt;option&gt;</c> (e.g. <c>optimizer.momentum</c>), and <c>batch_size</c> for the objectives.
/// </summary>
public static class ConfigurationBuilders
{
    /// <summary>
    /// A multilayer perceptron input [N, inFeatures] -> output [N, outFeatures] (logits): hidden layers of the sizes in
    /// <c>hidden</c> (an integer repeated <c>depth</c> times, default 1, or a list "64-32" / "64,32"), each followed by
    /// <c>activation</c> (default relu) and, when <c>dropout</c> > 0, a dropout layer.
    /// </summary>
    public static Sequential CreateMlp(this Configuration configuration, int inFeatures, int outFeatures, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var sizes = HiddenSizes(configuration);
        var activation = configuration.GetOrDefault("activation", "relu");
        var dropout = configuration.GetOrDefault("dropout", 0f);
        var model = new Sequential();
        var width = inFeatures;
        foreach (var size in sizes)
        {
            model.Append(new Linear(width, size, generator: generator));
            model.Append(ActivationLayer.Create(activation));
            if (dropout > 0f) model.Append(new Dropout(dropout, generator));
            width = size;
        }
        return model.Append(new Linear(width, outFeatures, generator: generator));
    }

    private static int[] HiddenSizes(Configuration configuration)
    {
        if (!configuration.TryGetValue("hidden", out var hidden)) return [];
        if (hidden is string text)
        {
            var parts = text.Split(['-', ',', ' '], StringSplitOptions.RemoveEmptyEntries);
            var sizes = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : -1).ToArray();
            if (sizes.Length == 0 || sizes.Any(n => n <= 0)) throw new ArgumentException($"ConfigurationBuilders: hidden = '{text}' should list positive layer sizes such as \"64-32\".");
            return sizes;
        }
        var width = configuration.GetInt("hidden");
        var depth = configuration.GetOrDefault("depth", 1);
        if (width <= 0 || depth < 0) throw new ArgumentException($"ConfigurationBuilders: hidden ({width}) must be positive and depth ({depth}) >= 0.");
        return [.. Enumerable.Repeat(width, depth)];
    }

    /// <summary>
    /// The optimizer named by <c>optimizer</c> (default adam) with learning rate <c>lr</c> (default 1e-3), <c>weight_decay</c>
    /// when set, and every <c>optimizer.&lt;option&gt;</c> value as that option (see <see cref="Optimizers.Create"/>).
    /// </summary>
    public static Optimizer CreateOptimizer(this Configuration configuration, IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        const string prefix = "optimizer.";
        var options = configuration.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(k => k[prefix.Length..], configuration.GetFloat);
        if (configuration.ContainsKey("weight_decay")) options["weight_decay"] = configuration.GetFloat("weight_decay");
        return Optimizers.Create(configuration.GetOrDefault("optimizer", "adam"), parameters, configuration.GetOrDefault("lr", 1e-3f), options);
    }
}
