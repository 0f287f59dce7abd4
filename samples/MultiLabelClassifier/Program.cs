using System;
using FixedShapeLoss.Samples.MultiLabel;

// The picture goes beside the output: the working directory, or the folder given as the first argument.
string picture = args.Length > 0
    ? System.IO.Path.Combine(args[0], MultiLabelClassifierSample.PictureFileName)
    : MultiLabelClassifierSample.PictureFileName;
MultiLabelClassifierSample.Run(Console.Out, picture);
