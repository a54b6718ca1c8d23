using Microsoft.ML.OnnxRuntime;

namespace DiMml.Serving.Runtime;

/// <summary>
/// Where ONNX scoring runs, decided as ML.NET's settings ask: without <c>MLContext.GpuDeviceId</c> on the CPU; with it on
/// that GPU when the CUDA execution provider really works there (present in the runtime and able to open the graph on
/// that device); otherwise on the CPU when <c>FallbackToCpu</c> is set, and an error naming the fix when it is not.
/// ML.NET's own fallback cannot be relied on: with the CPU runtime package, asking for CUDA throws
/// EntryPointNotFoundException, which its fallback does not catch.
/// </summary>
internal static class OnnxExecutionProvider
{
    /// <summary>ONNX Runtime's name of the CPU execution provider.</summary>
    public const string Cpu = "CPUExecutionProvider";

    /// <summary>ONNX Runtime's name of the CUDA execution provider.</summary>
    public const string Cuda = "CUDAExecutionProvider";

    /// <summary>Decides for a GPU setting, probing CUDA by opening <paramref name="graph"/> on the GPU.</summary>
    /// <param name="gpuDeviceId"><c>MLContext.GpuDeviceId</c>.</param>
    /// <param name="fallbackToCpu"><c>MLContext.FallbackToCpu</c>.</param>
    /// <param name="graph">The ONNX graph to score, read only when a GPU is asked for.</param>
    /// <exception cref="InvalidOperationException">A GPU is asked for, CUDA does not work and fallback is off.</exception>
    public static string Resolve(int? gpuDeviceId, bool fallbackToCpu, Func<byte[]> graph) =>
        Decide(gpuDeviceId, fallbackToCpu, id => CudaWorks(id, graph()));

    /// <summary>The decision alone, given whether CUDA works on a device (testable without a GPU).</summary>
    internal static string Decide(int? gpuDeviceId, bool fallbackToCpu, Func<int, bool> cudaWorks)
    {
        if (gpuDeviceId is not { } id)
        {
            return Cpu;
        }

        if (cudaWorks(id))
        {
            return Cuda;
        }

        return fallbackToCpu ? Cpu : throw new InvalidOperationException(
            $"MLContext.GpuDeviceId is {id}, but ONNX Runtime's CUDA execution provider does not work on GPU {id} in this application " +
            $"(providers: {string.Join(", ", AvailableProviders())}). Reference Microsoft.ML.OnnxRuntime.Gpu 1.31.0 instead of " +
            "Microsoft.ML.OnnxRuntime on a machine with that GPU and CUDA 12, set MLContext.FallbackToCpu = true to score on the CPU, " +
            "or leave GpuDeviceId unset.");
    }

    private static string[] AvailableProviders() => OnnxRuntimeBackend.Explain(() => OrtEnv.Instance().GetAvailableProviders());

    private static bool CudaWorks(int deviceId, byte[] graph)
    {
        if (!AvailableProviders().Contains(Cuda))
        {
            return false;
        }

        try
        {
            using var options = SessionOptions.MakeSessionOptionWithCudaProvider(deviceId);
            using var session = new InferenceSession(graph, options);
            return true;
        }
        catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }
}
