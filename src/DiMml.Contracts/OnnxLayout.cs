namespace DiMml;

/// <summary>Shape convention of an exported graph's inputs and outputs.</summary>
public enum OnnxLayout
{
    /// <summary>Inputs <c>[N, F_m]</c>, outputs <c>[N, ·]</c>: for ONNX Runtime and other standalone consumers.</summary>
    Batched,

    /// <summary>Inputs <c>[F_m]</c>, outputs without the batch dimension: what ML.NET's ApplyOnnxModel feeds, one row at a time.</summary>
    PerRow,
}
