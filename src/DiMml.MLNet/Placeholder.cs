namespace DiMml.MLNet;
