using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Nabla.Tests.Docs;

/// <summary>
/// Keeps README.md honest: its first C# block must compile against Nabla and print every line of
/// the text block that follows it, and its commands must be the ones CI runs.
/// </summary>
public partial class ReadmeExampleTests
{
    private const string TestCommand = "dotnet test Nabla.slnx -c Release";
    private const string MainJobCommand = "dotnet run --project src/Nabla.Cli -c Release -- train examples/mnist-cnn.json";

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nabla.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} contains Nabla.slnx.");
    }

    private static string Readme() => File.ReadAllText(Path.Combine(RepoRoot(), "README.md")).ReplaceLineEndings("\n");

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```\s*\n(?:[^`\n]*\n)*?```text\n(?<text>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ExampleBlocks();

    [Fact]
    public void Quickstart_compiles_and_prints_what_the_readme_says()
    {
        var match = ExampleBlocks().Match(Readme());
        Assert.True(match.Success, "README.md needs a ```csharp block followed by a ```text block of its output.");
        var code = "using System; using System.Collections.Generic; using System.Linq;\n" + match.Groups["code"].Value;
        var expected = match.Groups["text"].Value.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
        Assert.NotEmpty(expected);

        var assembly = Compile(code);
        var output = RunEntryPoint(assembly);

        var missing = expected.Where(line => !output.Contains(line, StringComparison.Ordinal)).ToArray();
        Assert.True(missing.Length == 0, $"README output lines not printed by the example:\n{string.Join("\n", missing)}\n--- actual output ---\n{output}");
    }

    [Fact]
    public void Readme_commands_are_the_ones_ci_runs()
    {
        var readme = Readme();
        Assert.Contains(MainJobCommand, readme, StringComparison.Ordinal);
        Assert.Contains(TestCommand, readme, StringComparison.Ordinal);
        var ci = File.ReadAllText(Path.Combine(RepoRoot(), ".ci", "run"));
        Assert.Contains(TestCommand + " --no-build", ci, StringComparison.Ordinal);
        // CI smoke-runs the main job itself, shortened to one epoch.
        Assert.Contains(MainJobCommand.Replace(" -c Release -- ", " -c Release --no-build -- ", StringComparison.Ordinal) + " --epochs 1", ci, StringComparison.Ordinal);
    }

    private static Assembly Compile(string code)
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(typeof(Tensor).Assembly.Location)
            .Distinct(StringComparer.Ordinal);
        var compilation = CSharpCompilation.Create(
            "ReadmeQuickstart",
            [CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest))],
            paths.Select(p => MetadataReference.CreateFromFile(p)),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        Assert.True(result.Success && errors.Length == 0, "README example does not compile:\n" + string.Join("\n", result.Diagnostics));
        return Assembly.Load(image.ToArray());
    }

    private static string RunEntryPoint(Assembly assembly)
    {
        var entry = assembly.EntryPoint!;
        var args = entry.GetParameters().Length == 0 ? null : new object[] { Array.Empty<string>() };
        using var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            entry.Invoke(null, args);
        }
        finally
        {
            Console.SetOut(original);
        }
        return output.ToString().ReplaceLineEndings("\n");
    }
}
