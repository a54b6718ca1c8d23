using DiMml.Torch.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>
/// Resolves where training runs. An explicit <see cref="TrainingDevice"/> wins; without one, the host's GPU setting decides, as
/// in ML.NET's own deep-learning trainers (<c>MLContext.GpuDeviceId</c> and <c>MLContext.FallbackToCpu</c>); the core
/// learners have no host and train on the CPU.
/// </summary>
public static class DeviceSelection
{
    /// <summary>Returns the device to train on.</summary>
    /// <param name="requested">The requested device; null: <paramref name="gpuDeviceId"/> decides.</param>
    /// <param name="gpuDeviceId">The host's GPU (<c>MLContext.GpuDeviceId</c>); null: the CPU.</param>
    /// <param name="fallbackToCpu">Whether to train on the CPU when the host's GPU is not usable
    /// (<c>MLContext.FallbackToCpu</c>); otherwise that is an error.</param>
    /// <exception cref="InvalidOperationException">A GPU was asked for but libtorch sees no usable CUDA device.</exception>
    public static Device Resolve(TrainingDevice? requested, int? gpuDeviceId = null, bool fallbackToCpu = false)
    {
        LibTorchBackend.EnsureLoaded();
        var (type, index) = Decide(requested, gpuDeviceId, fallbackToCpu, cuda.is_available() ? cuda.device_count() : 0);
        return type == DeviceType.CUDA ? new Device(type, index) : CPU;
    }

    /// <summary>The decision alone, for a given number of visible CUDA devices (testable without a GPU).</summary>
    internal static (DeviceType Type, int Index) Decide(TrainingDevice? requested, int? gpuDeviceId, bool fallbackToCpu, int cudaDevices)
    {
        var index = gpuDeviceId ?? 0;
        var usable = index >= 0 && index < cudaDevices;
        return requested switch
        {
            TrainingDevice.Cpu => (DeviceType.CPU, 0),
            TrainingDevice.Auto => usable ? (DeviceType.CUDA, index) : (DeviceType.CPU, 0),
            TrainingDevice.Cuda when usable => (DeviceType.CUDA, index),
            TrainingDevice.Cuda => throw NoGpu($"Device = Cuda (GPU {index}) was requested", "use Device = Cpu or Auto"),
            null when gpuDeviceId is null || (!usable && fallbackToCpu) => (DeviceType.CPU, 0),
            null when usable => (DeviceType.CUDA, index),
            null => throw NoGpu($"MLContext.GpuDeviceId is {gpuDeviceId}",
                "set MLContext.FallbackToCpu = true to train on the CPU instead, or set the trainer's Device"),
            _ => throw new ArgumentOutOfRangeException(nameof(requested), requested, "Unknown training device; use Cpu, Cuda or Auto."),
        };
    }

    private static InvalidOperationException NoGpu(string what, string fix) => new(
        $"{what}, but libtorch sees no such CUDA device. Reference a CUDA libtorch package in the application " +
        $"(libtorch-cuda-12.8-linux-x64 or -win-x64) instead of DiMml.MLNet.Cpu on a machine with an NVIDIA GPU, or {fix}.");
}
