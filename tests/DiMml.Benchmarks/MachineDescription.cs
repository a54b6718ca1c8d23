namespace DiMml.Benchmarks;

/// <summary>The CPU a figure was measured on, as every results section must name it: figures move with the CPU's
/// kernels (AVX2 or AVX-512, Intel or AMD), so a figure without its machine cannot be compared.</summary>
internal static class MachineDescription
{
    /// <summary>For example "AMD EPYC (family 26, model 2; AVX-512, AVX512-BF16), 2 cores".</summary>
    public static string Cpu()
    {
        var info = File.Exists("/proc/cpuinfo") ? File.ReadLines("/proc/cpuinfo").TakeWhile(l => l.Length > 0).ToList() : [];
        string? Field(string name) => info.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        var flags = (Field("flags") ?? "").Split(' ').ToHashSet();
        var simd = flags.Contains("avx512f") ? "AVX-512" : flags.Contains("avx2") ? "AVX2" : "no AVX2";
        if (flags.Contains("avx512_bf16"))
        {
            simd += ", AVX512-BF16";
        }

        var model = Field("model name") ?? System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
        return $"{model} (family {Field("cpu family") ?? "?"}, model {Field("model") ?? "?"}; {simd}), {Environment.ProcessorCount} cores";
    }
}
