using Nabla.Onnx.Proto;

namespace Nabla.Onnx;

/// <summary>A graph input or output: its name, element type and shape, each dimension a size, a symbolic name ("N") or unknown.</summary>
public sealed record OnnxValueInfo(string Name, OnnxElementType ElementType, IReadOnlyList<OnnxDimension>? Shape)
{
    public override string ToString() =>
        $"{Name}: {OnnxTensors.Describe(ElementType).ToLowerInvariant()}{(Shape is null ? " (shape unknown)" : $"[{string.Join(", ", Shape)}]")}";
}

/// <summary>One dimension of a declared shape.</summary>
public readonly record struct OnnxDimension(long? Value, string? Name)
{
    public override string ToString() => Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Name ?? "?";
}
