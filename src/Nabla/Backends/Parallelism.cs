using Nabla.Backends.Cpu;

namespace Nabla;

/// <summary>How many cores Nabla's kernels use. Results are bitwise identical for any setting.</summary>
public static class Parallelism
{
    /// <summary>Threads per parallel kernel, 1 to <see cref="MaxThreads"/> (default: all cores).</summary>
    public static int Threads
    {
        get => WorkerPool.Shared.Threads;
        set => WorkerPool.Shared.Threads = value;
    }

    /// <summary>The core count: the size of the worker pool.</summary>
    public static int MaxThreads => Environment.ProcessorCount;
}
