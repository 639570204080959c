using System.Globalization;
using System.Text;

namespace Nabla.Training;

/// <summary>
/// What <see cref="Trainer.Fit"/> recorded: one log per epoch with keys such as <c>loss</c>, <c>accuracy</c>,
/// <c>val_loss</c>, <c>val_accuracy</c> and <c>lr</c>, and why training stopped.
/// </summary>
public sealed class History
{
    private readonly List<IReadOnlyDictionary<string, double>> _epochs = [];

    /// <summary>Per-epoch logs, in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Epochs => _epochs;

    /// <summary>Why training ended early (a callback, a non-finite loss, cancellation), or null when every epoch ran.</summary>
    public string? StopReason { get; internal set; }

    /// <summary>The values of one log key across epochs (NaN where an epoch lacks it).</summary>
    public double[] this[string key] => [.. _epochs.Select(e => e.TryGetValue(key, out var v) ? v : double.NaN)];

    /// <summary>Every key that appears in any epoch's log.</summary>
    public IReadOnlyList<string> Keys => [.. _epochs.SelectMany(e => e.Keys).Distinct()];

    internal void Add(IReadOnlyDictionary<string, double> logs) => _epochs.Add(logs);

    /// <summary>The logs as CSV: an <c>epoch</c> column, then one column per key.</summary>
    public string ToCsv()
    {
        var keys = Keys;
        var text = new StringBuilder("epoch");
        foreach (var k in keys) text.Append(',').Append(k);
        text.AppendLine();
        for (var i = 0; i < _epochs.Count; i++)
        {
            text.Append((i + 1).ToString(CultureInfo.InvariantCulture));
            foreach (var k in keys) text.Append(',').Append(_epochs[i].TryGetValue(k, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "");
            text.AppendLine();
        }
        return text.ToString();
    }
}
