namespace Nabla.NN;

/// <summary>A height and width pair for kernel sizes, strides and dilations; an int means the same for both: <c>kernelSize: 3</c> or <c>kernelSize: (3, 5)</c>.</summary>
public readonly record struct Size2(int H, int W)
{
    public static implicit operator Size2(int size) => new(size, size);
    public static implicit operator Size2((int H, int W) size) => new(size.H, size.W);

    public override string ToString() => H == W ? $"{H}" : $"({H}, {W})";
}

/// <summary>Padding of a 2-D convolution: explicit sizes per side (an int or a pair), or <see cref="Same"/> (output as large as the input at stride 1).</summary>
public readonly record struct Padding2(int H, int W, bool IsSame = false)
{
    /// <summary>Pads so that a stride-1 convolution keeps the input's height and width (any extra row or column goes after, as PyTorch does).</summary>
    public static Padding2 Same { get; } = new(0, 0, true);

    /// <summary>No padding.</summary>
    public static Padding2 Valid { get; } = new(0, 0);

    public static implicit operator Padding2(int padding) => new(padding, padding);
    public static implicit operator Padding2((int H, int W) padding) => new(padding.H, padding.W);

    public override string ToString() => IsSame ? "same" : H == W ? $"{H}" : $"({H}, {W})";
}
