using Nabla.NN;
using Nabla.Onnx.Export;
using Nabla.Onnx.Proto;
using Nabla.Serialization;
using Nabla.Specs;

namespace Nabla.Onnx;

/// <summary>
/// ONNX export: a model built from library layers (a <see cref="Sequential"/> of them, or one layer) becomes an
/// opset-17 .onnx file with a dynamic batch axis, readable by ONNX Runtime and friends. Import with <see cref="OnnxModel.Load(string)"/>.
/// <code>
/// Onnx.Export(model, sampleInput: Tensor.Zeros(1, 1, 28, 28), "mnist.onnx");
/// </code>
/// </summary>
public static class Onnx
{
    /// <summary>The operator set exported files use.</summary>
    public const int OpsetVersion = Exporter.OpsetVersion;

    /// <summary>
    /// Writes <paramref name="model"/> (evaluated in eval mode; its mode is restored) to <paramref name="path"/> atomically.
    /// <paramref name="sampleInput"/> is one batch of the model's input: it fixes every axis but the batch (and time) axis.
    /// A layer ONNX cannot express throws <see cref="NotSupportedException"/> naming it.
    /// </summary>
    public static void Export(Module model, Tensor sampleInput, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = ExportBytes(model, sampleInput);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>The serialized ONNX model (as <see cref="Export(Module, Tensor, string)"/> writes it).</summary>
    public static byte[] ExportBytes(Module model, Tensor sampleInput) => ProtoWriter.Write(Exporter.Build(model, sampleInput));

    /// <summary>
    /// Exports a saved model (<see cref="SavedModel"/>) with its input normalisation as the first nodes, so the ONNX
    /// graph takes the same raw inputs as <see cref="SavedModel.Predict"/>; the sample is one example of zeros.
    /// </summary>
    public static void Export(SavedModel saved, string path)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(path);
        var normalize = saved.NormalizeMean is { } mean && saved.NormalizeStd is { } std ? (mean, std) : ((float[], float[])?)null;
        var bytes = ProtoWriter.Write(Exporter.Build(saved.Model, Tensor.Zeros([1, .. saved.InputShape]), normalize));
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }
}
