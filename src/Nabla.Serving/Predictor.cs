using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nabla.NN;
using Nabla.Serving.Images;
using Nabla.Specs;

namespace Nabla.Serving;

/// <summary>
/// Thread-safe predictions of a saved model: parses JSON or PNG request bodies into inputs [N, input shape], runs the
/// model and reports class probabilities (softmax of the outputs) per example.
/// </summary>
public sealed class Predictor
{
    // NOTE: TensorScope and Generator are per thread but the worker pool of the kernels is shared, so forward passes
    // are serialised; the tensor kernels already use both cores for one pass.
    private readonly Lock _forward = new();
    private readonly int _perExample;

    public Predictor(SavedModel model, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (maxBatch < 1) throw new ArgumentException($"Predictor: the batch limit must be positive; got {maxBatch}.");
        (Model, MaxBatch) = (model, maxBatch);
        _perExample = model.InputShape.Aggregate(1, (a, b) => a * b);
    }

    public SavedModel Model { get; }
    public int MaxBatch { get; }

    /// <summary>True for models of one grey image [1, H, W] or [H, W]: these accept PNG uploads.</summary>
    public bool TakesImages => Model.InputShape is [1, > 0, > 0] or [> 0, > 0];

    private string Expected => $"[{string.Join(", ", Model.InputShape)}]";

    /// <summary>
    /// Inputs from <c>{"inputs": [...], "shape": [...]}</c>: numbers flat or nested; the shape (given, or read from the
    /// nesting, or the model's when the flat count fits one example) must be the model's input shape or [N, input shape].
    /// </summary>
    public (float[] Values, int Count, bool Batch) ParseJson(ReadOnlySpan<byte> body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new RequestError(400, $"the body is not valid JSON ({e.Message}); expected {{\"inputs\": [...], \"shape\": [...]}}.");
        }
        if (root is not JsonObject obj || obj["inputs"] is not JsonArray inputs)
        {
            throw new RequestError(400, "expected a JSON object with an \"inputs\" array of numbers, e.g. {\"inputs\": [...], \"shape\": [...]}.");
        }
        var values = new List<float>();
        var nested = new List<int>();
        Flatten(inputs, values, nested, 0);
        int[] shape;
        if (obj["shape"] is JsonNode shapeNode)
        {
            shape = shapeNode is JsonArray dims ? [.. dims.Select(Dimension)] : throw new RequestError(400, "\"shape\" must be an array of positive whole numbers.");
        }
        else if (nested.Count > 1) shape = [.. nested];
        else if (values.Count == _perExample) shape = Model.InputShape;
        else throw new RequestError(400, $"got {values.Count} input values; one example of {Expected} needs {_perExample} (give \"shape\" [N, ...] for a batch).");
        var count = shape.SequenceEqual(Model.InputShape) ? 1
            : shape.Length == Model.InputShape.Length + 1 && shape[1..].SequenceEqual(Model.InputShape) ? shape[0]
            : throw new RequestError(400, $"shape [{string.Join(", ", shape)}] does not fit the model, which expects {Expected} or [N, {string.Join(", ", Model.InputShape)}].");
        if (count > MaxBatch) throw new RequestError(400, $"batch of {count} examples is over the limit of {MaxBatch}.");
        if (values.Count != (long)count * _perExample)
        {
            throw new RequestError(400, $"shape [{string.Join(", ", shape)}] needs {(long)count * _perExample} values; got {values.Count}.");
        }
        return ([.. values], count, shape.Length == Model.InputShape.Length + 1);
    }

    private static int Dimension(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue(out int d) && d > 0 ? d : throw new RequestError(400, "\"shape\" must be an array of positive whole numbers.");

    // Collects numbers depth-first; nested records the array lengths along the first path (the shape of nested input).
    private static void Flatten(JsonArray array, List<float> values, List<int> nested, int depth)
    {
        if (depth == nested.Count) nested.Add(array.Count);
        else if (nested[depth] != array.Count) throw new RequestError(400, $"\"inputs\" is ragged: arrays at depth {depth} have lengths {nested[depth]} and {array.Count}.");
        foreach (var item in array)
        {
            if (item is JsonArray inner) Flatten(inner, values, nested, depth + 1);
            else if (item is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
            {
                var x = v.GetValue<double>();
                if (!double.IsFinite(x) || !float.IsFinite((float)x)) throw new RequestError(400, $"input value {values.Count} is not a finite number.");
                values.Add((float)x);
            }
            else throw new RequestError(400, $"input value {values.Count} is not a number: {item?.ToJsonString() ?? "null"}.");
        }
    }

    /// <summary>One example from a PNG picture: decoded, made grey, resized to the model's H x W with MNIST polarity.</summary>
    public (float[] Values, int Count, bool Batch) ParsePng(byte[] body)
    {
        if (!TakesImages) throw new RequestError(415, $"{Model.Name} takes inputs {Expected}, not images; send JSON.");
        if (!Png.HasSignature(body)) throw new RequestError(400, "the body is not a PNG image (it does not start with the PNG signature).");
        PngImage image;
        try
        {
            image = Png.Decode(body, "uploaded image");
        }
        catch (InvalidDataException e)
        {
            throw new RequestError(400, e.Message);
        }
        return (DigitImage.Prepare(image, Model.InputShape[^2], Model.InputShape[^1]), 1, false);
    }

    /// <summary>Runs the model on <paramref name="count"/> examples and returns the JSON response object.</summary>
    public JsonObject Predict(float[] values, int count, bool batch)
    {
        var clock = Stopwatch.StartNew();
        float[] probabilities;
        int classes;
        lock (_forward)
        {
            using var scope = TensorScope.Begin();
            using var noGrad = Autograd.NoGrad();
            var outputs = Model.Predict(Tensor.FromArray(values, [count, .. Model.InputShape])).Reshape(count, -1);
            classes = outputs.Shape[1];
            probabilities = Probabilities(outputs).ToArray();
        }
        var results = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var p = probabilities.AsSpan(i * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++) if (p[c] > p[best]) best = c;
            var names = Model.Classes;
            results.Add(new JsonObject
            {
                ["class"] = names is not null && best < names.Count ? names[best] : best.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["index"] = best,
                ["probabilities"] = new JsonArray([.. p.ToArray().Select(x => (JsonNode)x)]),
            });
        }
        return new JsonObject
        {
            ["model"] = Model.Name,
            ["batch"] = batch,
            ["results"] = results,
            ["latencyMs"] = Math.Round(clock.Elapsed.TotalMilliseconds, 3),
        };
    }

    /// <summary>Class probabilities of outputs [N, C]: as they are after Softmax, exp after LogSoftmax, softmax otherwise.</summary>
    private Tensor Probabilities(Tensor outputs)
    {
        var last = Model.Model.Count == 0 ? null : Model.Model[Model.Model.Count - 1];
        return last switch
        {
            Softmax => outputs,
            LogSoftmax => outputs.Exp(),
            _ => Functional.Softmax(outputs, 1),
        };
    }
}
