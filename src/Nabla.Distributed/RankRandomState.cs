using System.Globalization;
using System.Security.Cryptography;
using Nabla.Training;

namespace Nabla.Distributed;

/// <summary>
/// Keeps every rank's random generator in rank 0's checkpoint. Ranks draw different dropout masks (seeded
/// <c>seed + rank</c>), so the trainer's own saved state, rank 0's, would give every rank rank 0's masks after a resume.
/// At each checkpoint all ranks gather their <see cref="Generator.Default"/> states (a collective: the trainer calls
/// <see cref="SaveState"/> on every rank, see <see cref="Trainer.WritesCheckpoints"/>); on resume each rank takes its own.
/// Resuming with a different number of ranks gives ranks beyond the saved ones <paramref name="fallbackSeed"/> + rank
/// (their masks then differ from any uninterrupted run; weights and data order are unaffected).
/// </summary>
public sealed class RankRandomState(ICollectives collectives, ulong fallbackSeed) : Callback
{
    public override void SaveState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var states = Gather(collectives, Generator.Default.GetState());
        state.Values["ranks"] = states.Length.ToString(CultureInfo.InvariantCulture);
        for (var r = 0; r < states.Length; r++) state.Values[$"rank{r}"] = states[r];
    }

    public override void LoadState(CallbackState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Values.TryGetValue($"rank{collectives.Rank}", out var mine)) Generator.Default.SetState(mine);
        else Generator.ManualSeed(fallbackSeed + (ulong)collectives.Rank);
    }

    /// <summary>Every rank's <paramref name="text"/> (ASCII), indexed by rank, on every rank: two double allreduces.</summary>
    public static string[] Gather(ICollectives collectives, string text)
    {
        ArgumentNullException.ThrowIfNull(collectives);
        ArgumentNullException.ThrowIfNull(text);
        var lengths = new double[collectives.Size];
        lengths[collectives.Rank] = text.Length;
        collectives.AllReduceSum(lengths);
        var width = (int)lengths.Max();
        // Each rank fills its own row of zeros; the sum is then every rank's row (character codes are exact in doubles).
        var table = new double[collectives.Size * width];
        for (var i = 0; i < text.Length; i++) table[(collectives.Rank * width) + i] = text[i];
        collectives.AllReduceSum(table);
        return [.. Enumerable.Range(0, collectives.Size).Select(r =>
            new string([.. table.AsSpan(r * width, (int)lengths[r]).ToArray().Select(c => (char)c)]))];
    }

    /// <summary>
    /// Before a distributed resume: checks that every rank sees the same checkpoint file (or that none does), so no rank
    /// silently starts over while the others continue. Throws <see cref="DistributedException"/> otherwise (on every rank).
    /// </summary>
    public static void CheckSameCheckpoint(ICollectives collectives, string path)
    {
        ArgumentNullException.ThrowIfNull(collectives);
        // Every rank takes part in the gather even when it cannot read the file, so none is left waiting.
        string digest;
        try
        {
            using var stream = File.Exists(path) ? File.OpenRead(path) : null;
            digest = stream is null ? "none" : Convert.ToHexString(SHA256.HashData(stream));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            digest = $"unreadable ({e.Message})";
        }
        var digests = Gather(collectives, digest);
        var differing = Enumerable.Range(0, digests.Length).Where(r => digests[r] != digests[0]).ToArray();
        if (differing.Length == 0) return;
        var ranks = $"rank{(differing.Length > 1 ? "s" : "")} {string.Join(", ", differing)}";
        var see = differing.Length > 1 ? "see" : "sees";
        var what = digests[0] == "none" ? $"{ranks} {see} {path}, which rank 0 does not"
            : digests[differing[0]] == "none" ? $"{ranks} cannot see {path}, which rank 0 has"
            : $"{ranks} {see} a different {path} from rank 0's";
        throw new DistributedException($"--resume: {what}; every rank reads rank 0's checkpoint, so put the run folder (--out) on a file system all machines share.");
    }
}
