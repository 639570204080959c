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

    /// <summary>
    /// Uses <paramref name="threads"/> (clamped to 1..<see cref="MaxThreads"/>; null keeps the current setting) until the
    /// returned scope is disposed, which restores the previous setting: <c>using (Parallelism.Use(2)) { ... }</c>.
    /// The setting is process-wide, so scopes on several threads at once restore each other's values.
    /// </summary>
    public static ThreadsScope Use(int? threads)
    {
        var scope = new ThreadsScope(Threads);
        if (threads is { } t) Threads = Math.Clamp(t, 1, MaxThreads);
        return scope;
    }

    /// <summary>Restores a thread setting when disposed.</summary>
    public readonly struct ThreadsScope : IDisposable
    {
        private readonly int _previous; // 0 in a default-constructed scope, which restores nothing

        internal ThreadsScope(int previous) => _previous = previous;

        public void Dispose()
        {
            if (_previous > 0) Threads = _previous;
        }
    }
}
