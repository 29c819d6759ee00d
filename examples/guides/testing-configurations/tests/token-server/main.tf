# A setup module for terraform test (tests/self_contained.tftest.hcl): its apply starts the token
# server in the background, and the destroy that ends the test file stops it. It needs the
# tokenserver command on PATH.
variable "token_server_port" {
  type        = number
  default     = 18089
  description = "The loopback port the token server listens on (TF_VAR_token_server_port); a free one."
}

resource "terraform_data" "token_server" {
  input = var.token_server_port

  provisioner "local-exec" {
    # Returns once the server listens, when its address file appears.
    command = <<-EOT
      cd "${path.module}"
      nohup tokenserver -listen 127.0.0.1:${var.token_server_port} -config ../../tokenserver.json \
        -addr-file addr >log 2>&1 &
      echo $! >pid
      for _ in $(seq 600); do [ -s addr ] && exit 0; sleep 0.1; done
      cat log >&2
      exit 1
    EOT
  }

  provisioner "local-exec" {
    when    = destroy
    command = "cd '${path.module}' && kill \"$(cat pid)\" && rm -f pid log"
  }
}

output "base_url" {
  value      = "http://127.0.0.1:${var.token_server_port}"
  depends_on = [terraform_data.token_server]
}
