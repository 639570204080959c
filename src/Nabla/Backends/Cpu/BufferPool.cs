using System.Numerics;

namespace Nabla.Backends.Cpu;

/// <summary>
/// Float buffers in power-of-two size classes, handed out by <see cref="Storage"/> and given back
/// only by a <see cref="TensorScope"/> when the storage that held them is released. A buffer is
/// owned by exactly one live storage at a time, so it can never be handed out twice.
/// </summary>
internal static class BufferPool
{
    private const int MinClass = 4;          // 16 floats
    private const int MaxClass = 28;         // 256 M floats
    private const int MinPerClass = 64;             // every class may keep this many buffers...
    private const long MaxBytesPerClass = 64L << 20; // ...or as many as fit in 64 MB (a long sequence model holds thousands of small ones)
    private static readonly Stack<float[]>[] Classes = CreateClasses();
    private static readonly Lock Gate = new();

    /// <summary>When false, every buffer is freshly allocated and none is kept (the reference for pool tests).</summary>
    internal static bool Enabled { get; set; } = true;

    private static Stack<float[]>[] CreateClasses()
    {
        var classes = new Stack<float[]>[MaxClass + 1];
        for (var i = 0; i < classes.Length; i++) classes[i] = new Stack<float[]>();
        return classes;
    }

    private static int ClassOf(int length) => Math.Max(MinClass, BitOperations.Log2((uint)length - 1) + 1);

    /// <summary>A buffer of at least <paramref name="length"/> floats with unspecified contents.</summary>
    public static float[] Rent(int length)
    {
        if (length == 0) return [];
        var c = ClassOf(length);
        if (!Enabled || c > MaxClass) return GC.AllocateUninitializedArray<float>(length);
        lock (Gate)
        {
            if (Classes[c].TryPop(out var buffer)) return buffer;
        }
        return GC.AllocateUninitializedArray<float>(1 << c);
    }

    /// <summary>Takes back a buffer that no storage refers to any more.</summary>
    public static void Return(float[] buffer)
    {
        if (!Enabled || buffer.Length == 0 || !BitOperations.IsPow2(buffer.Length)) return;
        var c = BitOperations.Log2((uint)buffer.Length);
        if (c < MinClass || c > MaxClass) return;
        lock (Gate)
        {
            if (Classes[c].Count < Math.Max(MinPerClass, MaxBytesPerClass / ((long)sizeof(float) << c))) Classes[c].Push(buffer);
        }
    }

    /// <summary>Drops every pooled buffer (for tests and for freeing memory after training).</summary>
    public static void Clear()
    {
        lock (Gate)
        {
            foreach (var stack in Classes) stack.Clear();
        }
    }
}
