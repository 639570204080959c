using Nabla.Specs;
using Nabla.Tests.Support;

namespace Nabla.Tests.Specs;

/// <summary>Mutated spec files either load or fail with a <see cref="SpecException"/>, never with anything else.</summary>
public class SpecFuzzTests
{
    [Fact]
    public void Ten_thousand_mutated_specs_load_or_throw_spec_exceptions()
    {
        var originals = Directory.GetFiles(Repo.Path("examples"), "*.json").Select(File.ReadAllText).ToArray();
        var g = new Generator(2024);
        var alphabet = "{}[]\",:0123456789-.eE tfnaluxyz_\\".ToCharArray();
        int loaded = 0, rejected = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var text = originals[i % originals.Length].ToCharArray().ToList();
            var edits = 1 + (int)g.NextInt64(0, 4);
            for (var e = 0; e < edits && text.Count > 0; e++)
            {
                var at = (int)g.NextInt64(0, text.Count);
                switch (g.NextInt64(0, 4))
                {
                    case 0: text[at] = alphabet[g.NextInt64(0, alphabet.Length)]; break;
                    case 1: text.RemoveAt(at); break;
                    case 2: text.Insert(at, alphabet[g.NextInt64(0, alphabet.Length)]); break;
                    default: text.RemoveRange(at, text.Count - at); break; // truncation
                }
            }
            try
            {
                var spec = TrainingSpec.Parse(new string([.. text]), $"mutant {i}");
                spec.BuildModel([1, 28, 28]);
                spec.BuildLoss();
                loaded++;
            }
            catch (SpecException)
            {
                rejected++;
            }
            catch (Exception other)
            {
                Assert.Fail($"mutant {i} threw {other.GetType().Name}: {other.Message}\n{new string([.. text])}");
            }
        }
        Assert.True(loaded > 100 && rejected > 100, $"loaded {loaded}, rejected {rejected}");
    }
}
