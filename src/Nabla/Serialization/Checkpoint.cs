using Nabla.NN;

namespace Nabla.Serialization;

/// <summary>The sections and metadata of a checkpoint file.</summary>
public sealed class CheckpointContent(IReadOnlyDictionary<string, StateDict> sections, IReadOnlyDictionary<string, string> metadata)
{
    /// <summary>Each section's state dict by section name (<c>model</c>, <c>optimizer</c>, ...), in the order they were saved.</summary>
    public IReadOnlyDictionary<string, StateDict> Sections { get; } = sections;

    /// <summary>The caller's metadata strings (epoch, batch, RNG state as hex, JSON blobs).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    public void Deconstruct(out IReadOnlyDictionary<string, StateDict> sections, out IReadOnlyDictionary<string, string> metadata) =>
        (sections, metadata) = (Sections, Metadata);
}

/// <summary>
/// Several state dicts in one safetensors file: each tensor key is prefixed by its section (<c>model.conv1.weight</c>,
/// <c>optimizer.state.0.exp_avg</c>), and the section names are recorded in the metadata under
/// <see cref="SectionsKey"/> so that empty sections survive. Saving is atomic (see <see cref="SafeTensors.Write(string, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?, SafeTensorsDType)"/>).
/// <code>
/// Checkpoint.Save("run/last.safetensors",
///     new Dictionary&lt;string, StateDict&gt; { ["model"] = model.StateDict(), ["optimizer"] = optimizer.StateDict() },
///     new Dictionary&lt;string, string&gt; { ["epoch"] = "12" });
/// var (sections, metadata) = Checkpoint.Load("run/last.safetensors");
/// model.LoadStateDict(sections["model"]);
/// </code>
/// </summary>
public static class Checkpoint
{
    /// <summary>Metadata key holding the comma-separated section names; reserved.</summary>
    public const string SectionsKey = "nabla.checkpoint.sections";

    /// <summary>Writes every section's tensors (float32) and <paramref name="metadata"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, StateDict> sections, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(sections);
        var tensors = new StateDict();
        foreach (var (section, state) in sections)
        {
            if (string.IsNullOrEmpty(section) || section.Contains('.') || section.Contains(','))
            {
                throw new ArgumentException($"Checkpoint.Save: '{section}' is not a valid section name (non-empty, without '.' or ',').", nameof(sections));
            }
            ArgumentNullException.ThrowIfNull(state, $"sections[{section}]");
            foreach (var (key, tensor) in state) tensors.Add(section + "." + key, tensor);
        }
        var allMetadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                if (key == SectionsKey) throw new ArgumentException($"Checkpoint.Save: the metadata key '{SectionsKey}' is reserved.", nameof(metadata));
                allMetadata.Add(key, value);
            }
        }
        allMetadata[SectionsKey] = string.Join(",", sections.Keys);
        SafeTensors.Write(path, tensors, allMetadata);
    }

    /// <summary>
    /// Reads a checkpoint and splits the tensors back into sections at the first '.' of each key. Files without the
    /// sections entry (plain safetensors files with prefixed keys) are split by the prefixes found.
    /// </summary>
    public static CheckpointContent Load(string path)
    {
        var content = SafeTensors.Read(path);
        var metadata = content.Metadata.Where(kv => kv.Key != SectionsKey).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var sections = new Dictionary<string, StateDict>(StringComparer.Ordinal);
        var declared = content.Metadata.TryGetValue(SectionsKey, out var list);
        if (declared && list!.Length > 0)
        {
            foreach (var name in list.Split(','))
            {
                if (name.Length == 0 || !sections.TryAdd(name, new StateDict()))
                {
                    throw new SafeTensorsFormatException($"{path}: the checkpoint's section list '{list}' is malformed (empty or repeated names).");
                }
            }
        }
        foreach (var (key, tensor) in content.Tensors)
        {
            var dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || dot == key.Length - 1)
            {
                throw new SafeTensorsFormatException($"{path}: tensor '{key}' has no section prefix (expected 'section.name').");
            }
            var section = key[..dot];
            if (!sections.TryGetValue(section, out var state))
            {
                if (declared)
                {
                    throw new SafeTensorsFormatException($"{path}: tensor '{key}' belongs to section '{section}', which the checkpoint's section list '{list}' does not name.");
                }
                sections.Add(section, state = new StateDict());
            }
            state.Add(key[(dot + 1)..], tensor);
        }
        return new CheckpointContent(sections, metadata);
    }
}
