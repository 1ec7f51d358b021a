/** Secrets of one deployment, decrypted; only for artifact rendering and the requester's private message. */
export interface DeploymentSecrets {
  /** Windows local Administrator or Linux user password. */
  password: string;
  /**
   * SHA-512 crypt of `password`, made once when the deployment is requested: its 5000 rounds cost ~9 ms
   * of CPU, which a boot storm would otherwise pay per installer fetching its answer file. Absent for
   * deployments requested before it existed; the `sha512crypt` template helper then hashes on the spot.
   */
  passwordHash?: string;
}
