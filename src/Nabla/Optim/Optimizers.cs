namespace Nabla.Optim;

/// <summary>
/// The optimizers by name, for discovery (<c>nabla list optimizers</c>) and for model specs:
/// <c>Optimizers.Create("adam", model.Parameters(), 1e-3f, new Dictionary&lt;string, float&gt; { ["weight_decay"] = 1e-4f })</c>.
/// </summary>
public static class Optimizers
{
    private sealed record Entry(string Name, string Summary, Func<IEnumerable<Tensor>, float, Optimizer> Create);

    private static readonly Entry[] s_entries =
    [
        new("sgd", "stochastic gradient descent with optional momentum, Nesterov, L2 and L1 decay", (p, lr) => new Sgd(p, lr)),
        new("adagrad", "Adagrad: per-element step sizes from the sum of squared gradients", (p, lr) => new Adagrad(p, lr)),
        new("rmsprop", "RMSprop: steps scaled by a running average of squared gradients; optional momentum, centered", (p, lr) => new RmsProp(p, lr)),
        new("adam", "Adam: bias-corrected first and second moments; optional amsgrad", (p, lr) => new Adam(p, lr)),
        new("adamw", "AdamW: Adam with decoupled weight decay (default 0.01)", (p, lr) => new AdamW(p, lr)),
        new("adamax", "Adamax: Adam with an infinity-norm second moment", (p, lr) => new Adamax(p, lr)),
        new("nadam", "NAdam: Adam with Nesterov momentum and a momentum schedule", (p, lr) => new NAdam(p, lr)),
    ];

    /// <summary>Registered names, lower case: sgd, adagrad, rmsprop, adam, adamw, adamax, nadam.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. s_entries.Select(e => e.Name)];

    /// <summary>A one-line description of the named optimizer.</summary>
    public static string Describe(string name) => Find(name).Summary;

    /// <summary>
    /// Builds the named optimizer (case-insensitive) over one parameter group. Option keys are the
    /// optimizer's option names, in PyTorch's spelling or camel case (<c>weight_decay</c> or <c>weightDecay</c>);
    /// switches such as <c>nesterov</c> take 0 or 1.
    /// </summary>
    public static Optimizer Create(string name, IEnumerable<Tensor> parameters, float learningRate, IReadOnlyDictionary<string, float>? options = null)
    {
        var entry = Find(name);
        var optimizer = entry.Create(parameters, learningRate);
        if (options is null || options.Count == 0) return optimizer;
        var group = optimizer.ParamGroups[0];
        foreach (var (key, value) in options)
        {
            var canonical = optimizer.Defaults.Select(d => d.Name).FirstOrDefault(n => Normalize(n) == Normalize(key))
                ?? (Normalize(key) == "learningrate" ? ParamGroup.LearningRateKey : null)
                ?? throw new ArgumentException($"Optimizers.Create: {entry.Name} has no option '{key}'; its options are {string.Join(", ", optimizer.Defaults.Select(d => d.Name))}.", nameof(options));
            group[canonical] = value;
        }
        optimizer.ValidateGroups();
        return optimizer;
    }

    private static Entry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return s_entries.FirstOrDefault(e => e.Name == Normalize(name))
            ?? throw new ArgumentException($"Optimizers: unknown optimizer '{name}'; known: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>Lower case without separators, so weight_decay, weightDecay and WeightDecay match.</summary>
    internal static string Normalize(string key) =>
        string.Concat(key.Where(c => c is not ('_' or '-' or ' '))).ToLowerInvariant();
}
