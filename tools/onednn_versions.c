/* The convolution kernels of two oneDNN versions side by side: Debian's 2.6 (what Strata
 * links) and Intel's 3.x from PyPI (onednn-cpu-gomp), each built from this one file, on the
 * shapes that decide make bench (W5, ResNet-18's 14×14 stage, MobileNetV2's 1×1 and depthwise
 * convolutions, W2's first stage): forward, backward data and backward weights in GFLOP/s,
 * median of 15 runs, 2 threads. tools/onednn_versions.sh builds and runs both. */
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define CHK(x) do{dnnl_status_t s=(x); if(s!=dnnl_success){printf("fail %s: %d\n",#x,s);exit(1);}}while(0)
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
dnnl_engine_t eng; dnnl_stream_t st;
/* a memory descriptor: a handle in 3.x, a struct (here behind a pointer) in 2.x */
#if DNNL_VERSION_MAJOR >= 3
typedef dnnl_memory_desc_t MD;
static MD md(int n, const dnnl_dims_t d, dnnl_format_tag_t t){MD m; CHK(dnnl_memory_desc_create_with_tag(&m,n,d,dnnl_f32,t)); return m;}
#else
typedef dnnl_memory_desc_t MDS; typedef MDS* MD;
static MD md(int n, const dnnl_dims_t d, dnnl_format_tag_t t){MD m=malloc(sizeof(MDS)); CHK(dnnl_memory_desc_init_by_tag(m,n,d,dnnl_f32,t)); return m;}
#endif
static int cmpd(const void*a,const void*b){double x=*(double*)a,y=*(double*)b;return x<y?-1:x>y;}
double timeit(dnnl_primitive_desc_t pd,int*args,int n){
  dnnl_primitive_t p; CHK(dnnl_primitive_create(&p,pd)); dnnl_exec_arg_t ea[8];
  for(int i=0;i<n;i++){ea[i].arg=args[i]; CHK(dnnl_memory_create(&ea[i].memory,dnnl_primitive_desc_query_md(pd,dnnl_query_exec_arg_md,args[i]),eng,DNNL_MEMORY_ALLOCATE));}
  for(int i=0;i<3;i++)CHK(dnnl_primitive_execute(p,st,n,ea)); dnnl_stream_wait(st);
  double t[15]; for(int r=0;r<15;r++){double s=now(); CHK(dnnl_primitive_execute(p,st,n,ea)); dnnl_stream_wait(st); t[r]=now()-s;}
  qsort(t,15,sizeof(double),cmpd); return t[7];
}
void conv(const char*name,int N,int C,int O,int H,int k,int s,int g){
  int pad=k/2, Ho=(H+2*pad-k)/s+1; dnnl_dims_t sd={N,C,H,H}, dd={N,O,Ho,Ho}, bd={O};
  MD src=md(4,sd,dnnl_format_tag_any), dst=md(4,dd,dnnl_format_tag_any), b=md(1,bd,dnnl_a), w;
  if(g>1){dnnl_dims_t wd={g,O/g,C/g,k,k}; w=md(5,wd,dnnl_format_tag_any);} else {dnnl_dims_t wd={O,C,k,k}; w=md(4,wd,dnnl_format_tag_any);}
  dnnl_dims_t str={s,s}, dil={0,0}, pd_={pad,pad};
  dnnl_primitive_desc_t f,bdp,bw;
#if DNNL_VERSION_MAJOR >= 3
  CHK(dnnl_convolution_forward_primitive_desc_create(&f,eng,dnnl_forward_training,dnnl_convolution_direct,src,w,b,dst,str,dil,pd_,pd_,NULL));
  CHK(dnnl_convolution_backward_data_primitive_desc_create(&bdp,eng,dnnl_convolution_direct,src,w,dst,str,dil,pd_,pd_,f,NULL));
  CHK(dnnl_convolution_backward_weights_primitive_desc_create(&bw,eng,dnnl_convolution_direct,src,w,b,dst,str,dil,pd_,pd_,f,NULL));
#else
  dnnl_convolution_desc_t cd;
  CHK(dnnl_dilated_convolution_forward_desc_init(&cd,dnnl_forward_training,dnnl_convolution_direct,src,w,b,dst,str,dil,pd_,pd_)); CHK(dnnl_primitive_desc_create(&f,&cd,NULL,eng,NULL));
  CHK(dnnl_dilated_convolution_backward_data_desc_init(&cd,dnnl_convolution_direct,src,w,dst,str,dil,pd_,pd_)); CHK(dnnl_primitive_desc_create(&bdp,&cd,NULL,eng,f));
  CHK(dnnl_dilated_convolution_backward_weights_desc_init(&cd,dnnl_convolution_direct,src,w,b,dst,str,dil,pd_,pd_)); CHK(dnnl_primitive_desc_create(&bw,&cd,NULL,eng,f));
#endif
  int fa[]={DNNL_ARG_SRC,DNNL_ARG_WEIGHTS,DNNL_ARG_BIAS,DNNL_ARG_DST,DNNL_ARG_SCRATCHPAD};
  int da[]={DNNL_ARG_DIFF_DST,DNNL_ARG_WEIGHTS,DNNL_ARG_DIFF_SRC,DNNL_ARG_SCRATCHPAD};
  int wa[]={DNNL_ARG_SRC,DNNL_ARG_DIFF_DST,DNNL_ARG_DIFF_WEIGHTS,DNNL_ARG_DIFF_BIAS,DNNL_ARG_SCRATCHPAD};
  double fl=2.0*N*O*Ho*Ho*(C/g)*k*k/1e9;
  const char *fi,*di,*wi; dnnl_primitive_desc_query(f,dnnl_query_impl_info_str,0,&fi); dnnl_primitive_desc_query(bdp,dnnl_query_impl_info_str,0,&di); dnnl_primitive_desc_query(bw,dnnl_query_impl_info_str,0,&wi);
  double a=timeit(f,fa,5), c=timeit(bdp,da,4), e=timeit(bw,wa,5);
  printf("%-26s fwd %6.1f (%s)  bwd-data %6.1f (%s)  bwd-weights %6.1f (%s) GFLOP/s\n",name,fl/a,fi,fl/c,di,fl/e,wi);
}
int main(){CHK(dnnl_engine_create(&eng,dnnl_cpu,0));CHK(dnnl_stream_create(&st,eng,dnnl_stream_default_flags));
  const dnnl_version_t*v=dnnl_version(); printf("oneDNN %d.%d.%d\n",v->major,v->minor,v->patch);
  conv("W5 16x64x56x56 3x3",16,64,64,56,3,1,1);
  conv("ResNet 16x256x14x14 3x3",16,256,256,14,3,1,1);
  conv("MNv2 1x1 24->144 @56",16,24,144,56,1,1,1);
  conv("MNv2 1x1 144->24 @56",16,144,24,56,1,1,1);
  conv("MNv2 dw 144 @56",16,144,144,56,3,1,144);
  conv("W2 128x32x32x32 3x3",128,32,32,32,3,1,1);
}
