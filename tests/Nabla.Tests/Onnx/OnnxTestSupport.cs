using Nabla.NN;
using Nabla.Onnx;
using Nabla.Tests.Support;

namespace Nabla.Tests.OnnxTests;

/// <summary>Shared helpers: exported files for the CI checker, closeness within the 1e-5 the export promises.</summary>
internal static class OnnxTestSupport
{
    /// <summary>Where tests leave exported models for tests/fixtures/onnx/check_onnx.py (run by CI).</summary>
    public static string ExportFolder { get; } = Repo.Path("TestResults", "onnx-export");

    public static string FixturePath(params string[] parts) => Repo.Path(["tests", "fixtures", "onnx", .. parts]);

    /// <summary>Exports, keeps a copy for the checker, and loads the file back.</summary>
    public static OnnxModel RoundTrip(Module model, Tensor sample, string name)
    {
        var path = Path.Combine(ExportFolder, name + ".onnx");
        Nabla.Onnx.Onnx.Export(model, sample, path);
        return OnnxModel.Load(path);
    }

    /// <summary>|expected - actual| ≤ tol · max(1, |expected|) everywhere, with the same shape.</summary>
    public static void Close(Tensor expected, Tensor actual, float tol = 1e-5f, string context = "")
    {
        Assert.True(expected.Shape == actual.Shape, $"{context}: shape {actual.Shape}, expected {expected.Shape}");
        var (e, a) = (expected.ToArray(), actual.ToArray());
        for (var i = 0; i < e.Length; i++)
        {
            var diff = MathF.Abs(e[i] - a[i]);
            Assert.True(diff <= tol * MathF.Max(1f, MathF.Abs(e[i])) || (float.IsNaN(e[i]) && float.IsNaN(a[i])),
                $"{context}: element {i}: {a[i]} vs expected {e[i]} (difference {diff})");
        }
    }
}
