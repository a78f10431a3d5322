package dev.modelops.operator.retrain;

/** The policy's jobTemplate cannot make a Job; the message says what to fix. */
public class InvalidJobTemplateException extends Exception {
  public InvalidJobTemplateException(String message) {
    super(message);
  }
}
