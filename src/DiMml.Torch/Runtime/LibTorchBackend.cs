using TorchSharp;

namespace DiMml.Torch.Runtime;

/// <summary>
/// The native libtorch that the application brings. The library packages reference TorchSharp's managed code only (as
/// Microsoft.ML.TorchSharp does), so an app without a native package must fail with a message naming the package to
/// add, not with TorchSharp's own, which names TorchSharp's packages rather than ours.
/// </summary>
internal static class LibTorchBackend
{
    /// <summary>The message of the error thrown when no native libtorch loads.</summary>
    internal const string MissingMessage =
        "No native libtorch could be loaded, and DI-MML trains with TorchSharp. Add a backend package to the application: " +
        "DiMml.MLNet.Cpu (CPU for Linux x64, Windows x64 and macOS arm64, with ONNX Runtime), or for NVIDIA GPUs " +
        "libtorch-cuda-12.8-linux-x64 (or libtorch-cuda-12.8-win-x64) with Microsoft.ML.OnnxRuntime.Gpu. Serving a saved model needs " +
        "no libtorch: reference DiMml.Serving and Microsoft.ML.OnnxRuntime instead.";

    /// <summary>Loads libtorch's CPU backend (once; later calls return at once).</summary>
    /// <exception cref="InvalidOperationException">No native libtorch is present; the message names the packages to add.</exception>
    public static void EnsureLoaded()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException
            or EntryPointNotFoundException or BadImageFormatException)
        {
            var cause = e.GetBaseException();
            throw new InvalidOperationException($"{MissingMessage} ({cause.GetType().Name}: {FirstLine(cause.Message)})", e);
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
