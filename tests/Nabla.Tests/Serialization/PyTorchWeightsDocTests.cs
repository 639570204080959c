using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Nabla.Serialization;
using Nabla.Tests.Support;

namespace Nabla.Tests.Serialization;

/// <summary>Keeps docs/pytorch-weights.md honest: its C# example compiles and reproduces PyTorch's CNN outputs from the fixture.</summary>
public partial class PyTorchWeightsDocTests
{
    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [Fact]
    public void The_documented_example_compiles_and_matches_pytorch()
    {
        var doc = File.ReadAllText(Repo.Path("docs", "pytorch-weights.md")).ReplaceLineEndings("\n");
        var match = CSharpBlock().Match(doc);
        Assert.True(match.Success, "docs/pytorch-weights.md needs a ```csharp example.");
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(typeof(Tensor).Assembly.Location)
            .Distinct(StringComparer.Ordinal);
        var compilation = CSharpCompilation.Create(
            "PyTorchWeightsExample",
            [CSharpSyntaxTree.ParseText("using System; using System.Collections.Generic; using System.Linq;\n" + match.Groups["code"].Value,
                new CSharpParseOptions(LanguageVersion.Latest))],
            references.Select(p => MetadataReference.CreateFromFile(p)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        Assert.True(result.Success, "the example does not compile:\n" + string.Join("\n", result.Diagnostics));

        var predict = Assembly.Load(image.ToArray()).GetType("Example")!.GetMethod("Predict")!;
        var io = SafeTensors.Read(Repo.Path("tests", "fixtures", "pytorch", "cnn_io.safetensors")).Tensors;
        var output = (Tensor)predict.Invoke(null, [Repo.Path("tests", "fixtures", "pytorch", "cnn.safetensors"), io["input"]])!;
        Check.Close(io["output"].ToArray(), output, rtol: 0, atol: 1e-5, context: "documented CNN");
    }
}
