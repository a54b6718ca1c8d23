namespace DiMml;

/// <summary>Where training runs. Scoring runs through ONNX Runtime and picks its own execution provider.</summary>
public enum TrainingDevice
{
    /// <summary>The CPU (default; exactly reproducible for a given seed and thread count).</summary>
    Cpu,

    /// <summary>The first CUDA GPU; an error when the application has no CUDA libtorch or no GPU is visible.</summary>
    Cuda,

    /// <summary>CUDA when available, otherwise the CPU.</summary>
    Auto,
}
