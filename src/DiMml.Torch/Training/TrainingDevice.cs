namespace DiMml.Torch.Training;

/// <summary>Where training runs.</summary>
public enum TrainingDevice
{
    /// <summary>The CPU (default; exactly reproducible for a given seed and thread count).</summary>
    Cpu,

    /// <summary>The first CUDA GPU; an error when the build has no CUDA libtorch or no GPU is visible.</summary>
    Cuda,

    /// <summary>CUDA when available, otherwise the CPU.</summary>
    Auto,
}
