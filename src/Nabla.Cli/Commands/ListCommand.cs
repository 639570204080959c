using System.CommandLine;
using System.Text.Json;
using Nabla.NN;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla list layers|activations|losses|optimizers|schedules|metrics|initializers [--json]</c>: the vocabulary, one name per line.</summary>
internal static class ListCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static readonly IReadOnlyDictionary<string, Func<IReadOnlyList<CatalogEntry>>> Kinds = new Dictionary<string, Func<IReadOnlyList<CatalogEntry>>>
    {
        ["layers"] = () => Catalog.Layers,
        ["activations"] = () => Catalog.Activations,
        ["losses"] = () => Catalog.Losses,
        ["optimizers"] = () => Catalog.Optimizers,
        ["schedules"] = () => Catalog.Schedules,
        ["metrics"] = () => Catalog.Metrics,
        ["initializers"] = () => Catalog.Initializers,
    };

    public static Command Create()
    {
        var kind = new Argument<string>("kind") { Description = $"What to list: {string.Join(", ", Kinds.Keys)}." };
        kind.AcceptOnlyFromAmong([.. Kinds.Keys]);
        var json = new Option<bool>("--json") { Description = "Print one JSON object per entry instead of names." };
        var command = new Command("list", "List the layers, activations, losses, optimizers, schedules, metrics or initialisers Nabla offers.");
        command.Arguments.Add(kind);
        command.Options.Add(json);
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var what = parseResult.GetValue(kind)!;
            foreach (var entry in Kinds[what]())
            {
                output.WriteLine(parseResult.GetValue(json)
                    ? JsonSerializer.Serialize(new { kind = what, name = entry.Name, description = entry.Description }, JsonOptions)
                    : entry.Name);
            }
            return 0;
        });
        return command;
    }
}
