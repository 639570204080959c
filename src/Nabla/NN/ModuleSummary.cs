using System.Globalization;
using System.Text;

namespace Nabla.NN;

/// <summary>Sees every <see cref="Module.Forward"/> call on its thread while it is installed.</summary>
internal sealed class ForwardObserver : IDisposable
{
    [ThreadStatic] private static ForwardObserver? t_current;

    private readonly ForwardObserver? _previous;
    private readonly Action<Module, Tensor> _record;

    public ForwardObserver(Action<Module, Tensor> record)
    {
        _record = record;
        _previous = t_current;
        t_current = this;
    }

    public static ForwardObserver? Current => t_current;

    public void Record(Module module, Tensor output) => _record(module, output);

    public void Dispose() => t_current = _previous;
}

/// <summary>Builds <see cref="Module.Summary"/>: one row per leaf layer in the order it ran.</summary>
internal static class ModuleSummary
{
    public static string Build(Module model, int[] inputShape)
    {
        var names = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, module) in model.NamedModules()) names.TryAdd(module, name);
        var rows = new List<(string Layer, string Shape, long Params)>();
        var modes = model.NamedModules().Select(m => (m.Module, m.Module.IsTraining)).ToList();
        model.Eval();
        try
        {
            using var scope = TensorScope.Begin();
            using var noGrad = Autograd.NoGrad();
            using var observer = new ForwardObserver((module, output) =>
            {
                if (module.NamedChildren().Any()) return; // containers: their layers have rows
                var name = names.TryGetValue(module, out var n) && n.Length > 0 ? n : "(model)";
                rows.Add(($"{name} ({module.GetType().Name})", output.Shape.ToString(), module.ParameterCount()));
            });
            model.Forward(Tensor.Zeros(inputShape));
        }
        finally
        {
            foreach (var (module, training) in modes) module.Train(training);
        }

        var header = ("Layer (type)", "Output shape", "Params");
        var w0 = Math.Max(header.Item1.Length, rows.Count == 0 ? 0 : rows.Max(r => r.Layer.Length));
        var w1 = Math.Max(header.Item2.Length, rows.Count == 0 ? 0 : rows.Max(r => r.Shape.Length));
        var counts = rows.Select(r => r.Params.ToString("N0", CultureInfo.InvariantCulture)).ToList();
        var w2 = Math.Max(header.Item3.Length, counts.Count == 0 ? 0 : counts.Max(c => c.Length));
        var rule = new string('─', w0 + w1 + w2 + 4);
        var text = new StringBuilder();
        text.AppendLine(rule);
        text.AppendLine($"{header.Item1.PadRight(w0)}  {header.Item2.PadRight(w1)}  {header.Item3.PadLeft(w2)}");
        text.AppendLine(rule);
        for (var i = 0; i < rows.Count; i++)
        {
            text.AppendLine($"{rows[i].Layer.PadRight(w0)}  {rows[i].Shape.PadRight(w1)}  {counts[i].PadLeft(w2)}");
        }
        text.AppendLine(rule);
        var total = model.ParameterCount();
        var trainable = model.ParameterCount(trainableOnly: true);
        text.AppendLine(CultureInfo.InvariantCulture, $"Total params: {total:N0}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Trainable params: {trainable:N0}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Non-trainable params: {total - trainable:N0}");
        return text.ToString();
    }
}
