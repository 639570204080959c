using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nabla.Serving.Dashboard;

/// <summary>Reads a finished run folder (as <c>nabla train</c> writes it): per-epoch rows of metrics.csv and summary.json.</summary>
public static class RunFolder
{
    /// <summary>The epoch rows of <c>metrics.csv</c>: the epoch number and every non-empty column as a number.</summary>
    public static IReadOnlyList<(int Epoch, Dictionary<string, double> Metrics)> ReadMetrics(string runDirectory, string fileName = "metrics.csv")
    {
        var path = MetricsPath(runDirectory, fileName);
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0) throw new InvalidDataException($"{path} is empty; expected a header line 'epoch,loss,...' and one row per epoch.");
        var header = lines[0].Split(',');
        if (header[0] != "epoch") throw new InvalidDataException($"{path}: the first column is '{header[0]}'; expected 'epoch' (a metrics.csv written by nabla train).");
        var rows = new List<(int, Dictionary<string, double>)>();
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Split(',');
            if (cells.Length != header.Length) throw new InvalidDataException($"{path} line {i + 1}: {cells.Length} values for {header.Length} columns.");
            if (!int.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch))
            {
                throw new InvalidDataException($"{path} line {i + 1}: epoch '{cells[0]}' is not a whole number.");
            }
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
            for (var c = 1; c < cells.Length; c++)
            {
                if (cells[c].Length == 0) continue;
                metrics[header[c]] = double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
                    ? v : throw new InvalidDataException($"{path} line {i + 1}: {header[c]} '{cells[c]}' is not a number.");
            }
            rows.Add((epoch, metrics));
        }
        return rows;
    }

    /// <summary>summary.json as an object, or null when the folder has none.</summary>
    public static JsonObject? ReadSummary(string runDirectory)
    {
        var path = Path.Combine(runDirectory, "summary.json");
        if (!File.Exists(path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"{path} is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
    }

    private static string MetricsPath(string runDirectory, string fileName)
    {
        if (!Directory.Exists(runDirectory)) throw new DirectoryNotFoundException($"no folder {runDirectory}; expected a run folder written by nabla train (runs/<name>).");
        var path = Path.Combine(runDirectory, fileName);
        return File.Exists(path) ? path
            : throw new InvalidDataException($"{runDirectory} is not a run folder: it has no {fileName} (nabla train writes runs/<name>/metrics.csv, summary.json and report.html).");
    }
}
