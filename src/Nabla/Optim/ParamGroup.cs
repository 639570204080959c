namespace Nabla.Optim;

/// <summary>
/// Parameters that share hyperparameters inside one optimizer, e.g. a pretrained backbone trained with a
/// smaller learning rate than a new head:
/// <code>
/// var optimizer = new Adam([
///     new ParamGroup(backbone.Parameters(), learningRate: 1e-4f),
///     new ParamGroup(head.Parameters()) { ["beta1"] = 0.8f },
/// ], learningRate: 1e-3f);
/// </code>
/// Options are numbers keyed by PyTorch's names (<c>lr</c>, <c>weight_decay</c>, <c>momentum</c>, <c>beta1</c>,
/// <c>eps</c>, ...; switches such as <c>nesterov</c> are 0 or 1). A group sets only what it overrides; the
/// optimizer fills the rest with its defaults when the group is added and rejects names it does not know.
/// Schedules change <see cref="LearningRate"/> (and momentum) here between steps.
/// </summary>
public sealed class ParamGroup
{
    internal const string LearningRateKey = "lr";
    internal const string WeightDecayKey = "weight_decay";

    private readonly Dictionary<string, float> _options = new(StringComparer.Ordinal);

    public ParamGroup(IEnumerable<Tensor> parameters, float? learningRate = null, float? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = [.. parameters];
        if (learningRate is { } lr) _options[LearningRateKey] = lr;
        if (weightDecay is { } wd) _options[WeightDecayKey] = wd;
    }

    /// <summary>The tensors this group updates, in order.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Step size (option <c>lr</c>).</summary>
    public float LearningRate
    {
        get => this[LearningRateKey];
        set => this[LearningRateKey] = value;
    }

    /// <summary>Weight decay λ (option <c>weight_decay</c>): coupled L2 (adds λ·w to the gradient) except in AdamW.</summary>
    public float WeightDecay
    {
        get => this[WeightDecayKey];
        set => this[WeightDecayKey] = value;
    }

    /// <summary>An option by name, such as <c>group["momentum"]</c>.</summary>
    public float this[string option]
    {
        get => _options.TryGetValue(option, out var value) ? value : throw new KeyNotFoundException(
            $"ParamGroup: option '{option}' is not set; an optimizer fills unset options with its defaults when the group is added. Set options: {string.Join(", ", _options.Keys)}.");
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(option);
            _options[option] = value;
        }
    }

    /// <summary>The options set so far (all of them once the group belongs to an optimizer).</summary>
    public IReadOnlyDictionary<string, float> Options => _options;

    /// <summary>True when the option has a value.</summary>
    public bool Has(string option) => _options.ContainsKey(option);

    internal bool GetFlag(string option) => this[option] != 0f;
}
