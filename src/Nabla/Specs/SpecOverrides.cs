using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Nabla.Specs;

/// <summary>
/// Changes fields of a spec by path before it is parsed, for hyperparameter search: <c>optimizer.lr</c>,
/// <c>training.batchSize</c>, <c>model[1].outFeatures</c>. A key may list several comma-separated paths that take the same
/// value (a hidden width appears as one layer's outFeatures and the next one's inFeatures).
/// </summary>
public static partial class SpecOverrides
{
    [GeneratedRegex(@"^(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?<index>\d+)\])?$")]
    private static partial Regex Segment();

    /// <summary>The spec JSON with each override applied; errors name the path that does not exist.</summary>
    public static string Apply(string json, IEnumerable<KeyValuePair<string, object>> overrides)
    {
        var root = JsonNode.Parse(json, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true })
            ?? throw new SpecException("", "the spec is empty.");
        foreach (var (key, value) in overrides)
        {
            foreach (var path in key.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) Set(root, path, value);
        }
        return root.ToJsonString();
    }

    private static void Set(JsonNode root, string path, object value)
    {
        var segments = path.Split('.');
        JsonNode current = root;
        for (var i = 0; i < segments.Length; i++)
        {
            var match = Segment().Match(segments[i]);
            if (!match.Success) throw new SpecException(path, $"'{segments[i]}' is not a field name (write paths like optimizer.lr or model[1].outFeatures).");
            var name = match.Groups["name"].Value;
            var last = i == segments.Length - 1;
            var obj = current as JsonObject ?? throw new SpecException(path, $"'{string.Join('.', segments[..i])}' is not an object.");
            if (!match.Groups["index"].Success)
            {
                if (last)
                {
                    obj[name] = ToNode(value);
                    return;
                }
                current = obj[name] ?? (obj[name] = new JsonObject());
                continue;
            }
            var array = obj[name] as JsonArray ?? throw new SpecException(path, $"'{name}' is not an array.");
            var index = int.Parse(match.Groups["index"].Value, CultureInfo.InvariantCulture);
            if (index >= array.Count) throw new SpecException(path, $"'{name}' has {array.Count} entries; there is no [{index}].");
            if (last)
            {
                array[index] = ToNode(value);
                return;
            }
            current = array[index] ?? throw new SpecException(path, $"'{name}[{index}]' is null.");
        }
    }

    private static JsonNode? ToNode(object value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int n => JsonValue.Create(n),
        long n => JsonValue.Create(n),
        float f => JsonValue.Create(f),
        double d => JsonValue.Create(d),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };
}
