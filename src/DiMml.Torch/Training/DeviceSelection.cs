using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>Resolves a <see cref="TrainingDevice"/> to a libtorch device.</summary>
public static class DeviceSelection
{
    /// <summary>Returns the device to train on.</summary>
    /// <param name="requested">The requested device.</param>
    /// <exception cref="InvalidOperationException">CUDA was requested but is not available.</exception>
    public static Device Resolve(TrainingDevice requested) => requested switch
    {
        TrainingDevice.Cpu => CPU,
        TrainingDevice.Auto => cuda.is_available() ? CUDA : CPU,
        TrainingDevice.Cuda when cuda.is_available() => CUDA,
        TrainingDevice.Cuda => throw new InvalidOperationException(
            "Device = Cuda was requested, but libtorch reports no usable CUDA device. Build with -p:TorchBackend=cuda " +
            "(references the CUDA libtorch package instead of the CPU one) on a machine with an NVIDIA GPU, or use Device = Cpu or Auto."),
        _ => throw new ArgumentOutOfRangeException(nameof(requested), requested, "Unknown training device; use Cpu, Cuda or Auto."),
    };
}
