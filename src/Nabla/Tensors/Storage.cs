namespace Nabla;

/// <summary>
/// The flat float buffer behind one or more tensor views. <see cref="Version"/> counts in-place
/// writes so autograd can tell when a value it saved for backward has been overwritten.
/// </summary>
internal sealed class Storage
{
    public Storage(float[] data) => Data = data;

    public Storage(int length) => Data = length == 0 ? [] : GC.AllocateUninitializedArray<float>(length);

    public float[] Data { get; }

    /// <summary>Incremented by every in-place write to any view of this storage.</summary>
    public int Version { get; private set; }

    public void BumpVersion() => Version++;
}
