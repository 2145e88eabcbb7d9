package dev.ablation.samediff.probe;
public class ProbeMain {
  public static void main(String[] a) {
    if (a[0].equals("hop")) new HopProbe().probe(); else new IclProbe().probe();
  }
}
