namespace DiMml.MLNet;

/// <summary>Where training runs. Scoring always runs through ONNX Runtime (see <c>MLContext.GpuDeviceId</c>).</summary>
public enum TrainingDevice
{
    /// <summary>The CPU (default).</summary>
    Cpu,

    /// <summary>A CUDA GPU; needs the CUDA libtorch build (<c>-p:TorchBackend=cuda</c>), else an error.</summary>
    Cuda,

    /// <summary>CUDA when available, otherwise the CPU.</summary>
    Auto,
}
