using System.CommandLine;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla info [--json]</c>: versions, machine, and which SIMD widths the CPU accelerates.</summary>
internal static class InfoCommand
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var command = new Command("info", "Show the Nabla and .NET versions, the machine, and the hardware-accelerated SIMD widths.");
        command.Options.Add(json);
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var info = MachineInfo.Collect();
            if (parseResult.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(info, JsonOptions));
            }
            else
            {
                WriteText(output, info);
            }
            return 0;
        });
        return command;
    }

    private static void WriteText(TextWriter output, MachineInfo info)
    {
        static string YesNo(bool b) => b ? "yes" : "no";
        (string Label, string Value)[] rows =
        [
            ("Nabla", info.Version),
            ("Runtime", info.Runtime),
            ("OS", info.Os),
            ("Architecture", info.Architecture),
            ("Processors", info.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Vector512", YesNo(info.Simd.Vector512)),
            ("Vector256", YesNo(info.Simd.Vector256)),
            ("Vector128", YesNo(info.Simd.Vector128)),
            ("Vector<float>", $"{info.Simd.VectorFloatCount} lanes"),
            ("FMA", YesNo(info.Simd.Fma)),
            ("AVX2", YesNo(info.Simd.Avx2)),
            ("AdvSimd", YesNo(info.Simd.AdvSimd)),
        ];
        var width = rows.Max(r => r.Label.Length) + 2;
        foreach (var (label, value) in rows) output.WriteLine(label.PadRight(width) + value);
    }
}

/// <summary>What <c>nabla info</c> reports; serialised with camelCase keys.</summary>
internal sealed record MachineInfo(string Version, string Runtime, string Os, string Architecture, int ProcessorCount, SimdInfo Simd)
{
    public static MachineInfo Collect() => new(
        Program.VersionOf(typeof(Tensor).Assembly),
        RuntimeInformation.FrameworkDescription,
        RuntimeInformation.OSDescription,
        RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
        Environment.ProcessorCount,
        new SimdInfo(
            Vector512.IsHardwareAccelerated,
            Vector256.IsHardwareAccelerated,
            Vector128.IsHardwareAccelerated,
            Vector<float>.Count,
            Fma.IsSupported,
            Avx2.IsSupported,
            AdvSimd.IsSupported));
}

/// <summary>Hardware acceleration of the vector widths and instruction sets the CPU kernels use.</summary>
internal sealed record SimdInfo(bool Vector512, bool Vector256, bool Vector128, int VectorFloatCount, bool Fma, bool Avx2, bool AdvSimd);
