namespace DiMml.Serving.Runtime;

/// <summary>
/// The native ONNX Runtime that the application brings. The DiMml packages reference
/// Microsoft.ML.OnnxRuntime.Managed only (as Microsoft.ML.OnnxTransformer does), so the CPU and GPU runtime packages
/// never clash; an app with neither must hear which package to add instead of a bare DllNotFoundException.
/// </summary>
internal static class OnnxRuntimeBackend
{
    /// <summary>The message of the error thrown when the native ONNX Runtime is missing.</summary>
    internal const string MissingMessage =
        "The native ONNX Runtime could not be loaded, and DI-MML models score through it. Add Microsoft.ML.OnnxRuntime (CPU) or " +
        "Microsoft.ML.OnnxRuntime.Gpu (CUDA) 1.31.0 to the application; DiMml.MLNet.Cpu brings the CPU one.";

    /// <summary>Whether <paramref name="error"/>, or an exception inside it, says the native runtime did not load.</summary>
    /// <param name="error">An exception from ONNX Runtime or from ML.NET's ONNX transformer.</param>
    public static bool IsMissing(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException
                && e.Message.Contains("onnxruntime", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Runs <paramref name="action"/>, turning a missing native runtime into an error that names the packages to add.</summary>
    /// <param name="action">Code that creates an ONNX Runtime session.</param>
    /// <exception cref="InvalidOperationException">The native runtime is missing.</exception>
    public static T Explain<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (IsMissing(e))
        {
            throw new InvalidOperationException(MissingMessage, e);
        }
    }
}
