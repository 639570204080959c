namespace Nabla.Distributed;

/// <summary>
/// The collective operations data-parallel training needs, over a fixed group of <see cref="Size"/> processes.
/// Every rank must make the same calls in the same order with the same lengths (MPI semantics).
/// </summary>
public interface ICollectives : IDisposable
{
    /// <summary>This process's index in the group, 0 ≤ Rank &lt; Size.</summary>
    int Rank { get; }

    /// <summary>The number of processes in the group.</summary>
    int Size { get; }

    /// <summary>In place: every rank's <paramref name="values"/> becomes the element-wise sum over all ranks.</summary>
    void AllReduceSum(Span<float> values);

    /// <summary>In place, in double precision (for metrics and counts).</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>In place: every rank's <paramref name="values"/> becomes rank <paramref name="root"/>'s.</summary>
    void Broadcast(Span<float> values, int root = 0);

    /// <summary>Returns once every rank has called it.</summary>
    void Barrier();
}

/// <summary>The single-process group: rank 0 of 1. Every collective is the identity, so code written for many ranks runs unchanged.</summary>
public sealed class LocalCollectives : ICollectives
{
    public int Rank => 0;

    public int Size => 1;

    public void AllReduceSum(Span<float> values) { }

    public void AllReduceSum(Span<double> values) { }

    public void Broadcast(Span<float> values, int root = 0)
    {
        if (root != 0) throw new ArgumentException($"LocalCollectives.Broadcast: root must be 0 in a single-process group; got {root}.");
    }

    public void Barrier() { }

    public void Dispose() { }
}
